import { TRPCError } from '@trpc/server';
import {
  CheckIntegrityConstraintViolationError,
  ForeignKeyIntegrityConstraintViolationError,
  InvalidInputError,
  NotFoundError,
  NotNullIntegrityConstraintViolationError,
  UniqueIntegrityConstraintViolationError,
} from 'slonik';

/** Custom SQLSTATEs raised by sql/ functions (listed in sql/README.md), with the tRPC code each maps to. */
const customCodes: Record<string, TRPCError['code']> = {
  PY001: 'FORBIDDEN', // workspace suspended
  PY002: 'PRECONDITION_FAILED', // a workspace needs an owner
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
};

/** The message a sql/ function raised (written for users), found on the driver error under slonik's wrapper. */
function databaseMessage(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && code.startsWith('PY') && typeof message === 'string') return message;
    current = (current as { cause?: unknown }).cause;
  }
  return 'The request was refused.';
}

function databaseText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string') parts.push(message);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(' ');
}

function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The one place database errors become client errors. Constraint names and messages that reach the
 * client say what to fix; anything unrecognised stays an internal error whose cause is only logged.
 */
export function toTRPCError(error: unknown): TRPCError | undefined {
  if (error instanceof TRPCError) return error;
  if (error instanceof UniqueIntegrityConstraintViolationError) {
    return new TRPCError({
      code: 'CONFLICT',
      message: `Already exists (${error.constraint}).`,
      cause: error,
    });
  }
  if (error instanceof ForeignKeyIntegrityConstraintViolationError) {
    return new TRPCError({
      code: 'BAD_REQUEST',
      message: `Refers to something that does not exist (${error.constraint}).`,
      cause: error,
    });
  }
  if (error instanceof CheckIntegrityConstraintViolationError) {
    return new TRPCError({
      code: 'BAD_REQUEST',
      message: `Invalid value (${error.constraint}).`,
      cause: error,
    });
  }
  if (error instanceof NotNullIntegrityConstraintViolationError) {
    return new TRPCError({
      code: 'BAD_REQUEST',
      message: `Missing value (${error.column ?? 'unknown column'}).`,
      cause: error,
    });
  }
  if (error instanceof InvalidInputError) {
    return new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid input.', cause: error });
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
  const custom = state ? customCodes[state] : undefined;
  if (custom) return new TRPCError({ code: custom, message: databaseMessage(error), cause: error });
  return undefined;
}
