import type { CustomerProfile } from './options.ts';
import type { PhoneNumberRecord, SimulatorState } from './state.ts';
import { messagesChange, seconds } from './webhook-bodies.ts';

/**
 * Customer → business messages as Meta's `messages` webhook carries them (fixtures/whatsapp/webhooks).
 * Callers give the type-specific part; the simulator adds from/id/timestamp, the contact, and stores
 * media so the business can fetch it through GET /{media_id}.
 */

export interface InboundMedia {
  /** Reuse media already in the simulator; otherwise `bytes` (or a placeholder) is stored. */
  id?: string;
  bytes?: Uint8Array;
  mime_type?: string;
  caption?: string;
  filename?: string;
  voice?: boolean;
  animated?: boolean;
  /** Meta no longer has the file (its id expired, or it was deleted): GET /{media_id} answers 100. */
  expired?: boolean;
  /**
   * Meta could not download what the customer sent (Meta's 131052, "Media download error"): the
   * message arrives as `unsupported` with the error and this as its details, without a media id.
   */
  undownloadable?: string;
}

export interface InboundContext {
  /** Quoted message; `from` defaults to the business number. */
  id?: string;
  from?: string;
  forwarded?: boolean;
  frequently_forwarded?: boolean;
}

type InboundInteractive =
  | { type: 'button_reply'; button_reply: { id: string; title: string } }
  | { type: 'list_reply'; list_reply: { id: string; title: string; description?: string } }
  | { type: 'nfm_reply'; nfm_reply: { name?: string; body?: string; response_json: string } };

export type InboundMessage = (
  | { type: 'text'; text: { body: string } }
  | { type: 'image'; image: InboundMedia }
  | { type: 'audio'; audio: InboundMedia }
  | { type: 'video'; video: InboundMedia }
  | { type: 'document'; document: InboundMedia }
  | { type: 'sticker'; sticker: InboundMedia }
  | {
      type: 'location';
      location: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
    }
  | { type: 'contacts'; contacts: Record<string, unknown>[] }
  | { type: 'interactive'; interactive: InboundInteractive }
  | { type: 'button'; button: { payload: string; text: string } }
  /** An empty emoji removes the customer's earlier reaction. */
  | { type: 'reaction'; reaction: { message_id: string; emoji: string } }
  | { type: 'order'; order: { catalog_id: string; text?: string; product_items: Record<string, unknown>[] } }
  | { type: 'system'; system: { body: string; type: string; new_wa_id?: string; wa_id?: string } }
  | { type: 'request_welcome' }
  | { type: 'unsupported'; unsupported?: { type: string } }
) & { context?: InboundContext; referral?: Record<string, unknown> };

const mediaTypes = new Set(['image', 'audio', 'video', 'document', 'sticker']);

const defaultMime: Record<string, string> = {
  image: 'image/png',
  audio: 'audio/ogg; codecs=opus',
  video: 'video/mp4',
  document: 'application/pdf',
  sticker: 'image/webp',
};

// A valid 1×1 PNG, so placeholder images render in the inbox.
const placeholderPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/** A BSUID-only customer (2026 usernames): webhooks carry `from_user_id`/`user_id` and no phone. */
export const isBsuid = (from: string) => /^[A-Z]{2}\.[A-Za-z0-9.]+$/.test(from);

export function buildInboundWebhook(
  state: SimulatorState,
  phone: PhoneNumberRecord,
  from: string,
  message: InboundMessage,
  meta: { wamid: string; at: number; profile: CustomerProfile },
) {
  const { type, context, referral, ...rest } = message;
  const typed = rest as Record<string, unknown>;
  // Since 2026 every message names its sender by BSUID (from_user_id); `from` only when the phone is shared.
  const sender = isBsuid(from)
    ? { from_user_id: from }
    : { from, ...(meta.profile.userId ? { from_user_id: meta.profile.userId } : {}) };
  const built: Record<string, unknown> = { ...sender, id: meta.wamid, timestamp: seconds(meta.at), type };

  const undownloadable = mediaTypes.has(type) ? (typed[type] as InboundMedia).undownloadable : undefined;
  if (undownloadable !== undefined) {
    built.type = 'unsupported';
    built.errors = [
      {
        code: 131052,
        title: 'Media download error',
        message: 'Media download error',
        error_data: { details: undownloadable },
      },
    ];
    built.unsupported = { type };
  } else if (mediaTypes.has(type)) {
    built[type] = inboundMedia(state, phone, type, typed[type] ?? {});
  } else if (type === 'unsupported') {
    built.errors = [
      {
        code: 131051,
        title: 'Message type unknown',
        message: 'Message type unknown',
        error_data: { details: 'Message type is currently not supported.' },
      },
    ];
    built.unsupported = typed.unsupported ?? { type: 'unknown' };
  } else if (type !== 'request_welcome') {
    built[type] = typed[type];
  }
  if (context) {
    built.context =
      context.id !== undefined ? { from: context.from ?? phone.displayPhoneNumber, ...context } : context;
  }
  if (referral) built.referral = referral;

  const value: Record<string, unknown> = {};
  // Meta leaves out `contacts` for system messages (e.g. customer_changed_number).
  if (type !== 'system') value.contacts = [contactOf(from, meta.profile)];
  value.messages = [built];
  return messagesChange(phone, value);
}

function contactOf(from: string, profile: CustomerProfile) {
  const contact: Record<string, unknown> = {
    profile: { name: profile.name, ...(profile.username ? { username: profile.username } : {}) },
  };
  if (!isBsuid(from)) contact.wa_id = from;
  const userId = isBsuid(from) ? from : profile.userId;
  if (userId) contact.user_id = userId;
  if (profile.parentUserId) contact.parent_user_id = profile.parentUserId;
  return contact;
}

function inboundMedia(state: SimulatorState, phone: PhoneNumberRecord, type: string, input: InboundMedia) {
  const existing = input.id ? state.media(input.id) : undefined;
  const stored =
    existing ??
    state.addMedia({
      phoneNumberId: phone.id,
      bytes: input.bytes
        ? Buffer.from(input.bytes)
        : type === 'image' && !input.mime_type
          ? placeholderPng
          : Buffer.from(`simulated ${type}`),
      mimeType: input.mime_type ?? defaultMime[type] ?? 'application/octet-stream',
      ...(input.filename ? { filename: input.filename } : {}),
    });
  if (input.expired) state.deleteMedia(stored.id);
  return {
    ...(input.caption !== undefined ? { caption: input.caption } : {}),
    ...(input.filename !== undefined ? { filename: input.filename } : {}),
    mime_type: input.mime_type ?? stored.mimeType,
    // Webhooks carry the hash base64-encoded; GET /{media_id} gives it as hex.
    sha256: stored.sha256.toString('base64'),
    id: stored.id,
    ...(input.voice !== undefined ? { voice: input.voice } : {}),
    ...(input.animated !== undefined ? { animated: input.animated } : {}),
  };
}
