import { InvalidInputError } from 'slonik';
import { ZodError } from 'zod';
import { describeIssues } from '../../../whatsapp/webhook-payloads.ts';

export interface Failure {
  /** No retry can succeed: the data itself is refused (SQLSTATE class 22 or 23, or a validation error). */
  permanent: boolean;
  /** For the webhook log: what was refused and why, in words a user can read. */
  reason: string;
}

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  column?: unknown;
  table?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The PostgreSQL error under slonik's wrapper. */
function driverError(error: unknown): DriverError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as DriverError).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return current;
    current = (current as DriverError).cause;
  }
  return undefined;
}

/** Constraints whose violation means something specific about the webhook's content. */
const constraintReasons: Record<string, string> = {
  contacts_wa_id_check: 'the WhatsApp id is not a phone number (5 to 20 digits)',
  contacts_check: 'it names no contact: neither a phone number nor a business-scoped user id',
};

/**
 * Whether a processing error can ever succeed on retry, and what to tell the user. Invalid data
 * (class 22), integrity violations (class 23) and validation errors are permanent: retrying ten times
 * only delays the dead letter and hides the reason.
 */
export function describeFailure(error: unknown): Failure {
  if (error instanceof ZodError) return { permanent: true, reason: describeIssues(error) };
  // slonik refuses, before sending, values PostgreSQL cannot hold (a NUL or a lone surrogate in JSON).
  if (error instanceof InvalidInputError)
    return { permanent: true, reason: `a value cannot be stored: ${error.message}` };
  const driver = driverError(error);
  const code = typeof driver?.code === 'string' ? driver.code : undefined;
  if (driver && code && (code.startsWith('22') || code.startsWith('23'))) {
    const constraint = typeof driver.constraint === 'string' ? driver.constraint : undefined;
    const column = typeof driver.column === 'string' ? driver.column : undefined;
    const table = typeof driver.table === 'string' ? driver.table : undefined;
    const known = constraint ? constraintReasons[constraint] : undefined;
    const where = [table && `table ${table}`, column && `field ${column}`, constraint && `rule ${constraint}`]
      .filter(Boolean)
      .join(', ');
    const reason =
      known ??
      (code === '23502'
        ? `a required value is missing${where ? ` (${where})` : ''}`
        : code.startsWith('23')
          ? `the data breaks a rule of the database${where ? ` (${where})` : ''}`
          : `a value is not valid: ${typeof driver.message === 'string' ? driver.message : code}`);
    return { permanent: true, reason: known && where ? `${reason} (${where})` : reason };
  }
  return { permanent: false, reason: error instanceof Error ? error.message : String(error) };
}
