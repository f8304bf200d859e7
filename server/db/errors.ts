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
const customCodes: Record<string, TRPCError['code']> = {};

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
  if (state === '42501') {
    // insufficient_privilege, including "new row violates row-level security policy"
    return new TRPCError({ code: 'FORBIDDEN', message: 'Not allowed.', cause: error });
  }
  if (state && customCodes[state] && error instanceof Error) {
    return new TRPCError({ code: customCodes[state], message: error.message, cause: error });
  }
  return undefined;
}
