import { TRPCError } from '@trpc/server';
import {
  CheckIntegrityConstraintViolationError,
  ForeignKeyIntegrityConstraintViolationError,
  InvalidInputError,
  NotFoundError,
  NotNullIntegrityConstraintViolationError,
  UniqueIntegrityConstraintViolationError,
  type IntegrityConstraintViolationError,
} from 'slonik';
import { isDatabaseUnavailable } from './unavailable.ts';

/** What a user sees while PostgreSQL cannot be reached (the HTTP status is 503). */
export const databaseUnavailableMessage =
  'Parley cannot reach its database right now; try again in a moment.';

/** Custom SQLSTATEs raised by sql/ functions (listed in sql/README.md), with the tRPC code each maps to. */
export const customCodes: Record<string, TRPCError['code']> = {
  PY001: 'FORBIDDEN', // workspace suspended
  PY002: 'PRECONDITION_FAILED', // a workspace needs an owner
  PY003: 'UNAUTHORIZED', // session ended
  PY010: 'CONFLICT', // email already registered
  PY011: 'BAD_REQUEST', // password reset token invalid or expired
  PY012: 'CONFLICT', // workspace address taken
  PY020: 'FORBIDDEN', // not a member of that workspace
  PY030: 'FORBIDDEN', // seat limit reached
  PY031: 'CONFLICT', // already a member
  PY032: 'NOT_FOUND', // invitation invalid, used or expired
  PY040: 'FORBIDDEN', // platform administrators only
  PY041: 'BAD_REQUEST', // unknown plan
  PY042: 'NOT_FOUND', // unknown workspace
  PY050: 'TOO_MANY_REQUESTS', // sign-in throttled
  PY060: 'FORBIDDEN', // media storage of the plan used up
  PY070: 'NOT_FOUND', // no such webhook endpoint
};

/**
 * What to tell a user whose change broke a constraint, by constraint name: what to fix, never the
 * name itself. Constraints not listed get a sentence built from their column (see constraintSentence).
 */
const constraintMessages: Record<string, string> = {
  channels_waba_id_key: 'This WhatsApp Business Account is already connected to a workspace.',
  phone_numbers_phone_number_id_key: 'This phone number is already connected to a workspace.',
  users_email_key: 'An account with this email already exists.',
  tenants_slug_key: 'This workspace address is taken; choose another name.',
  tenants_name_check: 'Give the workspace a name of 1 to 120 characters.',
  users_display_name_check: 'Enter a name of 1 to 120 characters.',
  users_email_check: 'Enter a valid email address.',
  invitations_email_check: 'Enter a valid email address.',
  invitations_role_check: 'Invite as admin, agent or viewer; make someone owner by transferring ownership.',
  api_keys_name_check: 'Name the key in 1 to 80 characters.',
  memberships_pkey: 'This person is already a member of this workspace.',
};

/** "phone_number_id" → "phone number id". */
const words = (identifier: string) => identifier.replace(/_/g, ' ').trim();

/**
 * The column a constraint is about: from the violation's detail ("Key (email)=(…)"), else from its
 * name when PostgreSQL named it (`<table>_<columns>_<suffix>`). tenant_id, which leads every tenant
 * key, says nothing to a user and is left out.
 */
function constraintColumn(error: IntegrityConstraintViolationError): string | null {
  const columns = error.columns.filter((column) => column !== 'tenant_id');
  if (columns.length > 0) return columns.map(words).join(', ');
  const match =
    error.constraint && error.table
      ? new RegExp(`^${error.table}_(?:tenant_id_)?(.+)_[a-z]+$`).exec(error.constraint)
      : null;
  return match?.[1] ? words(match[1]) : null;
}

function constraintSentence(
  error: IntegrityConstraintViolationError,
  fallback: (column: string | null) => string,
) {
  return (error.constraint && constraintMessages[error.constraint]) ?? fallback(constraintColumn(error));
}

/** SQLSTATEs of bad values that reached the database (class 22), with what to tell the user. */
const dataExceptions: Record<string, string> = {
  '22021':
    'Some text contains characters that cannot be stored (such as a NUL character). Remove them and try again.',
  '22P05':
    'Some text contains characters that cannot be stored (such as a NUL character). Remove them and try again.',
  '22001': 'Some text is too long. Shorten it and try again.',
  '22003': 'A number is out of range.',
  '22007': 'A date or time is not valid.',
  '22008': 'A date or time is out of range.',
  '22P02': 'A value is not in the expected format.',
  '2201B': 'A pattern is not valid.',
  '22023': 'A value is not valid.',
  '22004': 'A required value is missing.',
  '54000': 'A value is too large to store.',
};

function walk(error: unknown, pick: (node: { code?: unknown; message?: unknown }) => string | undefined) {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const found = pick(current);
    if (found !== undefined) return found;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The message a sql/ function raised (written for users), found on the driver error under slonik's wrapper. */
function databaseMessage(error: unknown): string {
  return (
    walk(error, ({ code, message }) =>
      typeof code === 'string' && code.startsWith('PY') && typeof message === 'string' ? message : undefined,
    ) ?? 'The request was refused.'
  );
}

function databaseText(error: unknown): string {
  const parts: string[] = [];
  walk(error, ({ message }) => {
    if (typeof message === 'string') parts.push(message);
    return undefined;
  });
  return parts.join(' ');
}

function sqlState(error: unknown): string | undefined {
  return walk(error, ({ code }) =>
    typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined,
  );
}

/**
 * The one place database errors become client errors. Messages that reach the client say what to
 * fix in words a user understands (never a constraint name); anything unrecognised stays an
 * internal error whose cause is only logged.
 */
export function toTRPCError(error: unknown): TRPCError | undefined {
  if (error instanceof TRPCError) return error;
  // First: a lost connection can surface as any slonik error class, and is never the request's fault.
  if (isDatabaseUnavailable(error)) {
    return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: databaseUnavailableMessage, cause: error });
  }
  if (error instanceof UniqueIntegrityConstraintViolationError) {
    const message = constraintSentence(error, (column) =>
      column ? `This ${column} is already in use.` : 'This already exists.',
    );
    return new TRPCError({ code: 'CONFLICT', message, cause: error });
  }
  if (error instanceof ForeignKeyIntegrityConstraintViolationError) {
    const message = constraintSentence(error, (column) =>
      column
        ? `The ${column} refers to something that does not exist.`
        : 'This refers to something that does not exist.',
    );
    return new TRPCError({ code: 'BAD_REQUEST', message, cause: error });
  }
  if (error instanceof CheckIntegrityConstraintViolationError) {
    const message = constraintSentence(error, (column) =>
      column ? `The ${column} is not valid.` : 'A value is not valid.',
    );
    return new TRPCError({ code: 'BAD_REQUEST', message, cause: error });
  }
  if (error instanceof NotNullIntegrityConstraintViolationError) {
    const message = error.column ? `The ${words(error.column)} is required.` : 'A required value is missing.';
    return new TRPCError({ code: 'BAD_REQUEST', message, cause: error });
  }
  if (error instanceof InvalidInputError) {
    return new TRPCError({
      code: 'BAD_REQUEST',
      message: 'A value is not in the expected format.',
      cause: error,
    });
  }
  if (error instanceof NotFoundError) {
    return new TRPCError({ code: 'NOT_FOUND', message: 'Not found.', cause: error });
  }
  const state = sqlState(error);
  if (state === '42501' && /row-level security/.test(databaseText(error))) {
    // "new row violates row-level security policy": writing into another tenant. Other 42501s
    // (permission denied on a table) are bugs in grants and stay internal errors.
    return new TRPCError({ code: 'FORBIDDEN', message: 'Not allowed.', cause: error });
  }
  if (state === '40001' || state === '40P01') {
    return new TRPCError({
      code: 'CONFLICT',
      message: 'Someone else changed this at the same moment. Try again.',
      cause: error,
    });
  }
  const dataException = state ? dataExceptions[state] : undefined;
  if (dataException) return new TRPCError({ code: 'BAD_REQUEST', message: dataException, cause: error });
  const custom = state ? customCodes[state] : undefined;
  if (custom) return new TRPCError({ code: custom, message: databaseMessage(error), cause: error });
  return undefined;
}
