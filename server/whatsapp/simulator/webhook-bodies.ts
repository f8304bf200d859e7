import type { PhoneNumberRecord } from './state.ts';

/**
 * Webhook bodies in Meta's shape (fixtures/whatsapp/webhooks): `object` → `entry[]` (one per WABA) →
 * `changes[]` → `value`. Keys are written in the fixtures' order so bodies diff cleanly against them.
 */

export interface WebhookErrorObject {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
  href: string;
}

const errorCodesHref = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

export function webhookError(code: number, title: string, details: string): WebhookErrorObject {
  return { code, title, message: title, error_data: { details }, href: errorCodesHref };
}

/** The asynchronous errors the simulator reports in `failed` statuses (texts from Meta's error codes). */
export const statusErrors = {
  windowClosed: () =>
    webhookError(
      131047,
      'Re-engagement message',
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    ),
  undeliverable: () => webhookError(131026, 'Message undeliverable', 'Message Undeliverable.'),
  mediaUpload: (details: string) => webhookError(131053, 'Media upload error', details),
  /** Meta documents no code of its own for the messaging limit; it reports a restriction on how many messages the number may send. */
  messagingLimit: (limit: number) =>
    webhookError(
      131048,
      'Spam rate limit hit',
      `Message failed to send because there are restrictions on how many messages can be sent from this phone number: its messaging limit of ${limit} business-initiated customers in 24 hours is reached.`,
    ),
};

export const seconds = (ms: number) => String(Math.floor(ms / 1000));

/** The envelope every webhook shares; `value` depends on `field`. */
export interface WebhookEnvelope {
  object: 'whatsapp_business_account';
  entry: { id: string; time?: number; changes: { field: string; value: Record<string, unknown> }[] }[];
}

export function messagesChange(phone: PhoneNumberRecord, value: Record<string, unknown>): WebhookEnvelope {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: phone.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: phone.displayPhoneNumber, phone_number_id: phone.id },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

export function wabaChange(
  wabaId: string,
  at: number,
  field: string,
  value: Record<string, unknown>,
): WebhookEnvelope {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: wabaId, time: Math.floor(at / 1000), changes: [{ field, value }] }],
  };
}

export interface StatusPricing {
  billable: boolean;
  pricing_model: 'PMP';
  category: string;
  type: 'regular' | 'free_customer_service' | 'free_entry_point';
}

export interface StatusObject {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  recipient_user_id?: string;
  recipient_parent_user_id?: string;
  pricing?: StatusPricing;
  conversation?: { id: string; expiration_timestamp: string; origin: { type: string } };
  errors?: WebhookErrorObject[];
  biz_opaque_callback_data?: string;
}

/** JSON as Meta sends it: non-ASCII characters as \uXXXX escapes (pure ASCII bytes on the wire). */
export function serialiseWebhook(body: unknown, escapeNonAscii: boolean): string {
  const json = JSON.stringify(body);
  return escapeNonAscii
    ? json.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}
