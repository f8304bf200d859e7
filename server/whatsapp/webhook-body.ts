import { webhookBodySchema, type WebhookBody } from './webhook-payloads.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * PostgreSQL text and jsonb cannot hold U+0000 nor an unpaired UTF-16 surrogate; a JSON escape of
 * either becomes U+FFFD, as a lossy reader would show it.
 */
const storable = (_key: string, value: unknown) =>
  typeof value === 'string' && (value.includes('\u0000') || !value.isWellFormed())
    ? value.replaceAll('\u0000', '\uFFFD').toWellFormed()
    : value;

/** A JSON escape of U+0000, or of a surrogate that no partner escape completes (the slow path's cue). */
const unstorableEscape =
  /\\u0000|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F]/;

/** A stored delivery's bytes as a WhatsApp Business Account webhook, or why not (in words for the log). */
export function parseWebhookBody(
  body: Buffer,
): { ok: true; body: WebhookBody } | { ok: false; problem: string } {
  let json: unknown;
  try {
    const text = strictUtf8.decode(body);
    json = unstorableEscape.test(text) ? JSON.parse(text, storable) : JSON.parse(text);
  } catch {
    return { ok: false, problem: 'The body is not UTF-8 JSON.' };
  }
  const parsed = webhookBodySchema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      problem: `Not a WhatsApp Business Account webhook: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`,
    };
  return { ok: true, body: parsed.data };
}
