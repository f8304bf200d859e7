/**
 * Whether an error means "the database cannot be reached right now" (refused, reset, terminated,
 * restarting, failing over) rather than "this request is wrong". Such requests are answered 503 with
 * Retry-After: senders like Meta retry, and the pools reconnect on their own when the server is back.
 */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATEs: admin/crash shutdown, cannot connect now (starting, recovering), too many connections. */
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300']);

const unavailableMessages = [
  /connection terminated/i,
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/** slonik's wrappers for the same conditions. */
const unavailableNames = new Set([
  'BackendTerminatedError',
  'BackendTerminatedUnexpectedlyError',
  'ConnectionError',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { code, message, name, cause } = current as {
      code?: unknown;
      message?: unknown;
      name?: unknown;
      cause?: unknown;
    };
    if (
      typeof code === 'string' &&
      (networkCodes.has(code) || code.startsWith('08') || unavailableStates.has(code))
    )
      return true;
    if (typeof name === 'string' && unavailableNames.has(name)) return true;
    if (typeof message === 'string' && unavailableMessages.some((pattern) => pattern.test(message)))
      return true;
    current = cause;
  }
  return false;
}

/** Seconds a client should wait before retrying while the database is unavailable. */
export const unavailableRetryAfterSeconds = 5;
