import type { z } from 'zod';
import type { OutboundMessage } from '../../whatsapp/message-payloads.ts';
import type {
  sendButtonsInput,
  sendContactsInput,
  sendCtaUrlInput,
  sendListInput,
  sendLocationInput,
  sendTextInput,
} from './schemas.ts';

/**
 * One builder per send type: from what the agent filled in (schemas.ts) to the message object of
 * Meta's Cloud API reference, without the envelope (messaging_product, to, context), which
 * queueOutboundMessage adds. `preview` is what the inbox list and search show for the message.
 */
export type MessageObject = DistributiveOmit<
  OutboundMessage,
  'messaging_product' | 'recipient_type' | 'to' | 'context' | 'biz_opaque_callback_data'
>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface BuiltMessage {
  message: MessageObject;
  preview: string;
}

const textPart = (value: string | undefined) => (value ? { text: value } : undefined);
const withOptional = <T extends object>(object: T) =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;

export function buildText(input: z.output<typeof sendTextInput>): BuiltMessage {
  return {
    message: { type: 'text', text: { body: input.text, preview_url: input.previewUrl } },
    preview: input.text,
  };
}

/** Reply buttons: ids are stable per position, so the customer's button_reply names the button. */
export function buildButtons(input: z.output<typeof sendButtonsInput>): BuiltMessage {
  return {
    message: {
      type: 'interactive',
      interactive: withOptional({
        type: 'button' as const,
        header: input.header ? { type: 'text' as const, text: input.header } : undefined,
        body: { text: input.body },
        footer: textPart(input.footer),
        action: {
          buttons: input.buttons.map((button, index) => ({
            type: 'reply' as const,
            reply: { id: `button-${index + 1}`, title: button.title },
          })),
        },
      }),
    },
    preview: input.body,
  };
}

export function buildList(input: z.output<typeof sendListInput>): BuiltMessage {
  let row = 0;
  return {
    message: {
      type: 'interactive',
      interactive: withOptional({
        type: 'list' as const,
        header: input.header ? { type: 'text' as const, text: input.header } : undefined,
        body: { text: input.body },
        footer: textPart(input.footer),
        action: {
          button: input.button,
          sections: input.sections.map((section) =>
            withOptional({
              title: section.title || undefined,
              rows: section.rows.map((item) =>
                withOptional({
                  id: `row-${++row}`,
                  title: item.title,
                  description: item.description || undefined,
                }),
              ),
            }),
          ),
        },
      }),
    },
    preview: input.body,
  };
}

export function buildCtaUrl(input: z.output<typeof sendCtaUrlInput>): BuiltMessage {
  return {
    message: {
      type: 'interactive',
      interactive: withOptional({
        type: 'cta_url' as const,
        header: input.header ? { type: 'text' as const, text: input.header } : undefined,
        body: { text: input.body },
        footer: textPart(input.footer),
        action: {
          name: 'cta_url' as const,
          parameters: { display_text: input.displayText, url: input.url },
        },
      }),
    },
    preview: input.body,
  };
}

export function buildLocation(input: z.output<typeof sendLocationInput>): BuiltMessage {
  return {
    message: {
      type: 'location',
      location: withOptional({
        latitude: input.latitude,
        longitude: input.longitude,
        name: input.name || undefined,
        address: input.address || undefined,
      }),
    },
    preview: `📍 ${input.name || input.address || `${input.latitude}, ${input.longitude}`}`,
  };
}

export function buildContacts(input: z.output<typeof sendContactsInput>): BuiltMessage {
  return {
    message: {
      type: 'contacts',
      contacts: input.contacts.map((contact) => {
        const [first, ...rest] = contact.name.split(/\s+/);
        return withOptional({
          name: withOptional({
            formatted_name: contact.name,
            first_name: first,
            last_name: rest.length ? rest.join(' ') : undefined,
          }),
          phones: contact.phone ? [{ phone: contact.phone, type: 'CELL' }] : undefined,
          emails: contact.email ? [{ email: contact.email, type: 'WORK' }] : undefined,
          org: contact.company ? { company: contact.company } : undefined,
        });
      }),
    },
    preview: `👤 ${input.contacts.map((contact) => contact.name).join(', ')}`,
  };
}

/** A reaction to a message by its wamid; an empty emoji removes the business's reaction. */
export function buildReaction(targetWamid: string, emoji: string): BuiltMessage {
  return {
    message: { type: 'reaction', reaction: { message_id: targetWamid, emoji } },
    preview: emoji ? `Reacted ${emoji}` : 'Removed a reaction',
  };
}
