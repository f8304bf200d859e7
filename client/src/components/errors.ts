import type { TRPCClientErrorLike } from '@trpc/client';
import type { AppRouter } from '../../../server/trpc/router.ts';

/** Shown while Parley (or its database) cannot be reached; the server sends the same sentence. */
export const unavailableMessage = 'Parley cannot reach its database right now; try again in a moment.';

export type ClientError = TRPCClientErrorLike<AppRouter> | null | undefined;

/** Per-field messages from a BAD_REQUEST the server's zod schema raised (the same schema as the input). */
export function fieldErrors(error: ClientError): Record<string, string | undefined> {
  const flattened = error?.data?.zodError as
    { fieldErrors?: Record<string, string[] | undefined> } | null | undefined;
  return Object.fromEntries(
    Object.entries(flattened?.fieldErrors ?? {}).map(([field, messages]) => [field, messages?.[0]]),
  );
}

/**
 * The message to show for a failed call, unless it is only about fields shown beside their inputs.
 * `shownFields` lists those inputs when a form does not show every field of its input (omitted: all
 * are shown); errors on any other field are returned here, so a refusal is never silent.
 */
export function formError(error: ClientError, shownFields?: readonly string[]): string | undefined {
  if (!error) return undefined;
  const zodError = error.data?.zodError as
    { formErrors?: string[]; fieldErrors?: Record<string, string[] | undefined> } | null | undefined;
  // The server's sentence for an unreachable database: shown as is, whatever form asked.
  if (error.data?.code === 'SERVICE_UNAVAILABLE') return error.message || unavailableMessage;
  if (!zodError) {
    // tRPC's wording when a reply is not tRPC's (an HTML error page from a proxy, a server restarting).
    if (error.message === 'Unable to transform response from server') {
      return 'The server sent an answer Parley could not read. Reload the page; if it persists, check the proxy in front of Parley.';
    }
    return error.message;
  }
  if (!shownFields) return undefined;
  const unshown = [
    ...(zodError.formErrors ?? []),
    ...Object.entries(zodError.fieldErrors ?? {})
      .filter(([field]) => !shownFields.includes(field))
      .flatMap(([, messages]) => messages ?? []),
  ];
  return unshown.length > 0 ? unshown.join(' ') : undefined;
}
