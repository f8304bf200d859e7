import type { FastifyInstance } from 'fastify';

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

/** Calls a tRPC procedure over real HTTP (app.inject), the way the web app and integrators do. */
export async function call<T = unknown>(
  app: FastifyInstance,
  kind: 'query' | 'mutation',
  path: string,
  input?: unknown,
  options: CallOptions = {},
): Promise<CallResult<T>> {
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
  const body = response.json<{ result?: { data: T }; error?: CallResult['error'] }>();
  return {
    status: response.statusCode,
    data: body.result?.data as T,
    error: body.error,
    sessionCookie: session ? (/^parley_session=([^;]*)/.exec(session)?.[1] ?? '') : undefined,
    setCookie,
  };
}
