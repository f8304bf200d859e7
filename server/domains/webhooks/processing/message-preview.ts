import type { InboundMessage } from '../../../whatsapp/webhook-payloads.ts';

type Loose = Record<string, unknown> | undefined;

const field = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** The text a conversation list and search show for a message of any type. */
export function messagePreview(message: InboundMessage): string {
  const content = message[message.type] as Loose;
  switch (message.type) {
    case 'text':
      return text(field(content, 'body')) ?? '';
    case 'image':
    case 'video':
    case 'document':
      return text(field(content, 'caption')) ?? text(field(content, 'filename')) ?? `[${message.type}]`;
    case 'audio':
      return field(content, 'voice') ? '[voice message]' : '[audio]';
    case 'sticker':
      return '[sticker]';
    case 'location':
      return text(field(content, 'name')) ?? text(field(content, 'address')) ?? '[location]';
    case 'contacts': {
      const first = Array.isArray(message.contacts) ? (message.contacts[0] as Loose) : undefined;
      return `[contact] ${text(field(field(first, 'name'), 'formatted_name')) ?? ''}`.trim();
    }
    case 'interactive': {
      const kind = field(content, 'type');
      if (kind === 'nfm_reply') return text(field(field(content, 'nfm_reply'), 'body')) ?? '[form response]';
      return text(field(field(content, String(kind)), 'title')) ?? '[interactive reply]';
    }
    case 'button':
      return text(field(content, 'text')) ?? '[button]';
    case 'order': {
      const items = field(content, 'product_items');
      return `[order: ${Array.isArray(items) ? items.length : 0} item(s)]`;
    }
    case 'system':
      return text(field(content, 'body')) ?? '[system message]';
    case 'request_welcome':
      return '[opened the chat]';
    case 'reaction':
      return text(field(content, 'emoji')) ?? '[reaction removed]';
    default:
      return '[unsupported message]';
  }
}
