import type { AnyProcedure, inferProcedureOutput } from '@trpc/server';
import type { FastifyInstance } from 'fastify';
import type { AppRouter } from '../trpc/router.ts';

/** [path, procedure] for every procedure of the app router ('conversation.list', …). */
type Leaves<R, Prefix extends string = ''> = {
  [K in keyof R & string]: R[K] extends AnyProcedure
    ? [`${Prefix}${K}`, R[K]]
    : Leaves<R[K], `${Prefix}${K}.`>;
}[keyof R & string];
type ProcedureEntry = Leaves<AppRouter['_def']['record']>;

/** A procedure's path: a renamed or removed procedure fails to compile where a test calls it. */
export type ProcedurePath = ProcedureEntry[0];
type ProcedureAt<P extends ProcedurePath> = Extract<ProcedureEntry, [P, unknown]>[1];
/** What the procedure at `P` answers, as the client reads it. */
export type OutputOf<P extends ProcedurePath> = inferProcedureOutput<ProcedureAt<P>>;
type KindOf<P extends ProcedurePath> = ProcedureAt<P>['_def']['type'];

export interface CallOptions {
  cookie?: string | undefined;
  bearer?: string;
  /** Defaults to the app's public origin, as a browser on Parley would send. */
  origin?: string | null;
  ip?: string;
}

export interface CallResult<T = unknown> {
  status: number;
  data: T;
  error: { message: string; code: string; data: { code: string; zodError: unknown } } | undefined;
  /** The session cookie's value after this response: a new token, '' when cleared, undefined when untouched. */
  sessionCookie: string | undefined;
  setCookie: string[];
}

/**
 * Calls a tRPC procedure over real HTTP (app.inject), the way the web app and integrators do. The
 * path and the kind (query or mutation) are checked against AppRouter, and the answer is typed as the
 * procedure's output. Input stays `unknown`: tests send wrong input on purpose.
 */
export async function call<P extends ProcedurePath>(
  app: FastifyInstance,
  kind: KindOf<P> & ('query' | 'mutation'),
  path: P,
  input?: unknown,
  options?: CallOptions,
): Promise<CallResult<OutputOf<P>>>;
/** The same, reading the answer as `T` (a test that expects an error's shape, say). */
export async function call<T>(
  app: FastifyInstance,
  kind: 'query' | 'mutation',
  path: ProcedurePath,
  input?: unknown,
  options?: CallOptions,
): Promise<CallResult<T>>;
export async function call(
  app: FastifyInstance,
  kind: 'query' | 'mutation',
  path: ProcedurePath,
  input?: unknown,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = `parley_session=${options.cookie}`;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const origin = options.origin === undefined ? app.services.config.publicUrl : options.origin;
  if (origin) headers.origin = origin;
  const response =
    kind === 'query'
      ? await app.inject({
          method: 'GET',
          url: `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
          headers,
          remoteAddress: options.ip ?? '127.0.0.1',
        })
      : await app.inject({
          method: 'POST',
          url: `/trpc/${path}`,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: JSON.stringify(input ?? null),
          remoteAddress: options.ip ?? '127.0.0.1',
        });
  const setCookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  const session = setCookie.find((cookie) => cookie.startsWith('parley_session='));
  const body = response.json<{ result?: { data: unknown }; error?: CallResult['error'] }>();
  return {
    status: response.statusCode,
    data: body.result?.data,
    error: body.error,
    sessionCookie: session ? (/^parley_session=([^;]*)/.exec(session)?.[1] ?? '') : undefined,
    setCookie,
  };
}
