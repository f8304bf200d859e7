import path from 'node:path';
import { z } from 'zod';

/** Every setting Parley reads from the environment. README.md's configuration table mirrors this list. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|on|off|\d{1,2}|[\d.:a-fA-F/, ]+)$/,
      'must be true, false, a hop count, or the proxy addresses (comma-separated IPs/CIDRs)',
    )
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  PARLEY_DATA_DIR: z.string().default('data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  SIGNUPS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(10),
  PRESENCE_TTL_SECONDS: z.coerce.number().int().min(2).max(3600).default(45),
  REALTIME_RETENTION_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  PARLEY_ENCRYPTION_KEYS: z.string().optional(),
  SMTP_URL: z
    .string()
    .regex(
      /^smtps?:\/\//,
      'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.com:465',
    )
    .optional(),
  SMTP_FROM: z.string().min(3).optional(),
  SANDBOX: z.enum(['on', 'off']).optional(),
  GRAPH_API_BASE_URL: z.url().default('https://graph.facebook.com'),
  GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d{1,3}\.\d$/, 'must look like v25.0')
    .default('v23.0'),
});

/** Every variable's name, in the order the README's configuration table lists them. */
export const configVariables = Object.keys(envSchema.shape);

/** Raw environment values, as strings. */
export type Env = Partial<Record<keyof typeof envSchema.shape, string>>;

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  /** Fastify's trustProxy: whether X-Forwarded-Host/Proto/For are believed (only behind a proxy). */
  readonly trustProxy: boolean | number | string;
  /** Owner connection string; absent means "start embedded PostgreSQL under dataDir". */
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly dataDir: string;
  readonly logLevel: string;
  readonly shutdownTimeoutMs: number;
  readonly workerConcurrency: number;
  /** Accounts one client address may create per hour (a burst of as many, then refilled over the hour). */
  readonly signUpsPerHour: number;
  /** Days a webhook delivery's body is kept (whole days: a day's partition goes once all of it is older). */
  readonly webhookRetentionDays: number;
  /** Minutes realtime events are kept for clients that reconnect; one away longer reloads everything. */
  readonly realtimeRetentionMinutes: number;
  /** Seconds a member's tab stays present without a heartbeat (the web app beats every 20 s). */
  readonly presenceTtlSeconds: number;
  /** Keyring spec; absent means a generated key kept in the data directory. Never logged. */
  readonly encryptionKeys: string | undefined;
  /** Where channels send Graph API calls unless they override it (the simulator in tests). */
  readonly graphApiBaseUrl: string;
  /** Outgoing mail server; absent means mail (invitations, resets) is written to the log. Never logged. */
  readonly smtpUrl: string | undefined;
  /** Sender of Parley's mail, e.g. `Parley <parley@example.com>`. */
  readonly smtpFrom: string;
  /** Serves the in-process Cloud API simulator under /sandbox/graph ("Try the sandbox"). */
  readonly sandbox: boolean;
  readonly graphApiVersion: string;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment once; an empty string counts as unset, every problem is reported together. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(source).filter(([key, value]) => key in envSchema.shape && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
  return Object.freeze({
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    publicUrl,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    dataDir: path.resolve(env.PARLEY_DATA_DIR),
    logLevel: env.LOG_LEVEL,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    workerConcurrency: env.WORKER_CONCURRENCY,
    webhookRetentionDays: env.WEBHOOK_RETENTION_DAYS,
    signUpsPerHour: env.SIGNUPS_PER_HOUR,
    realtimeRetentionMinutes: env.REALTIME_RETENTION_MINUTES,
    presenceTtlSeconds: env.PRESENCE_TTL_SECONDS,
    encryptionKeys: env.PARLEY_ENCRYPTION_KEYS,
    graphApiBaseUrl: env.GRAPH_API_BASE_URL.replace(/\/$/, ''),
    smtpUrl: env.SMTP_URL,
    // On by default, except in production where it must be asked for.
    sandbox: env.SANDBOX ? env.SANDBOX === 'on' : env.NODE_ENV !== 'production',
    smtpFrom: env.SMTP_FROM ?? `Parley <parley@${new URL(publicUrl).hostname}>`,
    graphApiVersion: env.GRAPH_API_VERSION,
  });
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false' || value === 'off') return false;
  if (value === 'true' || value === 'on') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
