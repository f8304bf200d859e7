import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting Parley reads from the environment, in the order README.md's configuration table lists
 * them: the table is generated from this schema (`npm run docs:config`; server/readme.test.ts fails
 * when it is stale). `shown` is the default as the table words it, when zod's default does not say it.
 */
const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
    .optional()
    .meta({
      description:
        'Owner connection string of a PostgreSQL 15–18 database. The owner runs migrations; every runtime query runs as the `parley_app` role it creates. Required when several processes share one database.',
      shown: '_(unset: embedded PostgreSQL)_',
    }),
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(20)
    .meta({ description: 'Connections in the `parley_app` pool of each process.' }),
  PARLEY_DATA_DIR: z
    .string()
    .default('data')
    .meta({ description: 'Where embedded PostgreSQL keeps its cluster (`<dir>/pg`) and credentials.' }),
  HOST: z
    .string()
    .default('127.0.0.1')
    .meta({ description: 'Address to listen on (`0.0.0.0` in the Docker image).' }),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).meta({ description: 'HTTP port.' }),
  PUBLIC_URL: z.url().optional().meta({
    description:
      'The URL Meta (webhook URLs) and emailed links use. Browsers may use any address that reaches the server: a write is accepted when its `Origin` is the address the request was sent to (its `Host`) or this URL.',
    shown: '`http://localhost:$PORT`',
  }),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|on|off|\d{1,2}|[\d.:a-fA-F/, ]+)$/,
      'must be true, false, a hop count, or the proxy addresses (comma-separated IPs/CIDRs)',
    )
    .optional()
    .meta({
      description:
        'Set behind a reverse proxy (`true`, a hop count, or the proxy addresses) so `X-Forwarded-Proto`/`-Host`/`-For` are believed; never set it when clients reach Parley directly.',
      shown: '`false`',
    }),
  SANDBOX: z.enum(['on', 'off']).optional().meta({
    description:
      'Serves the built-in Cloud API simulator under `/sandbox/graph` and offers **Try the sandbox**.',
    shown: '`on` (`off` in production)',
  }),
  GRAPH_API_BASE_URL: z.url().default('https://graph.facebook.com').meta({
    description:
      'Where channels send Graph API calls (point it at `npm run simulator` for tests); sandbox channels always use the built-in simulator.',
  }),
  GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d{1,3}\.\d$/, 'must look like v25.0')
    .default('v23.0')
    .meta({
      description:
        'Graph API version for new channels (each channel keeps the version it was connected with).',
    }),
  PARLEY_ENCRYPTION_KEYS: z.string().optional().meta({
    description:
      'Keys that encrypt channel secrets (AES-256-GCM), `id:base64-of-32-bytes`, active key first, comma-separated. Unset, the first start generates one into `<PARLEY_DATA_DIR>/encryption-keys` and warns: see "Encryption keys".',
    shown: '_(unset: generated)_',
  }),
  SMTP_URL: z
    .string()
    .regex(
      /^smtps?:\/\//,
      'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.com:465',
    )
    .optional()
    .meta({
      description:
        'Outgoing mail server for invitations and password resets, e.g. `smtps://user:password@smtp.example.com:465` or `smtp://relay:587` (STARTTLS when offered). Unset, each mail (link included) is written to the log as an `email (log mailer)` line.',
      shown: '_(unset: mail to the log)_',
    }),
  SMTP_FROM: z
    .string()
    .min(3)
    .optional()
    .meta({ description: "Sender address of Parley's mail.", shown: '`Parley <parley@<PUBLIC_URL host>>`' }),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional().meta({
    description:
      'Bearer token that `GET /metrics` (Prometheus) requires: `Authorization: Bearer <token>`. Unset, `/metrics` answers only requests from the machine itself (loopback, not through a proxy).',
    shown: '_(unset: loopback only)_',
  }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').meta({
    description:
      '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. Logs are JSON lines with a request id; credentials are redacted.',
  }),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000).meta({
    description: 'How long SIGTERM/SIGINT may take to drain requests and jobs before the process gives up.',
  }),
  WORKER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(4)
    .meta({ description: 'Jobs a worker process runs at once per queue.' }),
  SIGNUPS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(10).meta({
    description:
      'Accounts one client address may create per hour (a burst of that many, refilled over the hour); the answer beyond it is "Too many sign-ups from this address".',
  }),
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30).meta({
    description:
      "Days a received webhook's body (for replay and the platform's unrouted log) and the workspace's webhook log entries are kept; an hourly job drops older days and deletes older log entries.",
  }),
  OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: z.enum(['on', 'off']).default('off').meta({
    description:
      'Lets outbound webhook endpoints point at private, loopback and link-local addresses (for tests and receivers on an internal network); off, such addresses are refused when an endpoint is saved and on every connection.',
  }),
  REALTIME_RETENTION_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60)
    .meta({
      description:
        'Minutes the realtime bus keeps its events (ids only) so a browser that reconnects catches up; one away longer reloads its lists.',
    }),
  PRESENCE_TTL_SECONDS: z.coerce.number().int().min(2).max(3600).default(45).meta({
    description:
      'Seconds a signed-in member stays "online" without a heartbeat from their browser (it sends one every 20 s); closed tabs disappear for teammates after this.',
  }),
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .meta({ description: '`production` in the Docker image.' }),
});

/** Every variable's name, in the order the README's configuration table lists them. */
export const configVariables = Object.keys(envSchema.shape);

export interface ConfigVariableDoc {
  name: string;
  /** As the README shows it (Markdown). */
  shownDefault: string;
  description: string;
}

/** What the README's configuration table says about each variable, read from the schema. */
export function configDocs(): ConfigVariableDoc[] {
  return Object.entries(envSchema.shape).map(([name, schema]) => {
    const meta = (schema.meta() ?? {}) as { description?: string; shown?: string };
    const fallback = schema.def.type === 'default' ? schema.def.defaultValue : undefined;
    return {
      name,
      shownDefault: meta.shown ?? (fallback === undefined ? '_(unset)_' : `\`${String(fallback)}\``),
      description: meta.description ?? '',
    };
  });
}

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
  /** Outbound webhooks may reach private and loopback addresses (tests, internal receivers); off by default. */
  readonly outboundWebhooksAllowPrivate: boolean;
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
  /** Bearer token /metrics requires; absent means loopback requests only. Never logged. */
  readonly metricsToken: string | undefined;
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
    outboundWebhooksAllowPrivate: env.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE === 'on',
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
    metricsToken: env.METRICS_TOKEN,
  });
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false' || value === 'off') return false;
  if (value === 'true' || value === 'on') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
