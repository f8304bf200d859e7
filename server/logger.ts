import type { FastifyBaseLogger } from 'fastify';
import { pino, type DestinationStream, type LoggerOptions } from 'pino';

/** pino's logger as Fastify sees it, so request loggers and the process logger are interchangeable. */
export type Logger = FastifyBaseLogger;

/** Paths pino blanks out wherever they appear: credentials must never reach a log line. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.appSecret',
  '*.app_secret',
  '*.secret',
  '*.apiKey',
  '*.databaseUrl',
  '*.encryptionKeys',
  '*.verifyToken',
];

/** Query parameters whose values are secrets: Meta's verify token, reset tokens, keys. */
const secretParameter = /(token|secret|key|password|signature)/i;

/**
 * A request URL fit for the log: secret query values (`hub.verify_token`, `?token=` of a reset link)
 * and the token of an invitation link (`/invite/<token>`) are replaced, the rest kept for debugging.
 */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = (queryAt < 0 ? url : url.slice(0, queryAt)).replace(/^(\/invite\/)[^/]+/, '$1[redacted]');
  if (queryAt < 0) return path;
  const query = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const [name = '', value] = pair.split('=', 2);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed escape: judge the raw name.
      }
      return value !== undefined && secretParameter.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

/** redactUrl for URLs inside a message, e.g. Fastify's "Route GET:/reset-password?token=… not found". */
export function redactUrlsInText(text: string): string {
  return text
    .replace(/([?&][^=&\s]*(?:token|secret|key|password|signature)[^=&\s]*=)[^&\s]+/gi, '$1[redacted]')
    .replace(/(\/invite\/)[^\s/?]+/g, '$1[redacted]');
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer, with the URL passed through redactUrl. */
function serializeRequest(req: LoggedRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: { req: serializeRequest },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((arg: unknown) => (typeof arg === 'string' ? redactUrlsInText(arg) : arg)) as typeof args,
        );
      },
    },
    base: { service: 'parley', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const logMethods: LogMethod[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/**
 * Fastify's per-request child logger, made only when the request logs something its level lets
 * through. pino serializes a child's bindings (here the request id) through the redaction paths when
 * the child is made, a few microseconds per request that a webhook acknowledged without a log line
 * paid for nothing. The first enabled call makes the real child; it logs exactly as one made up front.
 */
export function lazyChildLogger(
  parent: Logger,
  bindings: Record<string, unknown>,
  options: { level?: string },
): Logger {
  let real: Logger | undefined;
  const child = () => (real ??= parent.child(bindings, options));
  const level = options.level ?? parent.level;
  const threshold = pino.levels.values[level] ?? 0;
  const lazy: Record<string, unknown> = {
    child: (more: Record<string, unknown>, moreOptions?: object) => child().child(more, moreOptions),
    silent: () => undefined,
  };
  for (const method of logMethods) {
    const value = pino.levels.values[method] ?? 0;
    lazy[method] = (...args: Parameters<Logger[LogMethod]>) => {
      // Once made (or re-levelled), the real child decides; until then, its level would drop the call.
      if (!real && value < threshold) return;
      child()[method](...args);
    };
  }
  Object.defineProperty(lazy, 'level', {
    enumerable: true,
    get: () => real?.level ?? level,
    set: (next: string) => {
      child().level = next;
    },
  });
  return lazy as unknown as Logger;
}
