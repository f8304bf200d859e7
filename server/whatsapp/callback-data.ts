/**
 * biz_opaque_callback_data on every message Parley sends: `parley:<message id>`. Meta echoes it in the
 * message's status webhooks, which is how a send whose HTTP answer was lost is matched to its message
 * (Meta's send API has no idempotency key; README, "Sending exactly once").
 */
const prefix = 'parley:';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const callbackDataFor = (messageId: string) => `${prefix}${messageId}`;

/** The Parley message id a status's biz_opaque_callback_data names, if it is one of Parley's. */
export function parleyMessageId(callbackData: unknown): string | undefined {
  if (typeof callbackData !== 'string' || !callbackData.startsWith(prefix)) return undefined;
  const id = callbackData.slice(prefix.length);
  return uuidPattern.test(id) ? id.toLowerCase() : undefined;
}
