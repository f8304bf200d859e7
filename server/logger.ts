import type { FastifyBaseLogger } from 'fastify';
import { pino, type LoggerOptions } from 'pino';

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

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: { service: 'parley', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function createLogger(level: string): Logger {
  return pino(loggerOptions(level));
}
