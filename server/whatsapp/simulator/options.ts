import type { FastifyBaseLogger } from 'fastify';

export interface SimulatedPhoneNumber {
  id: string;
  /** Digits only, as in webhook metadata (`15550101010`). */
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating?: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
  /** Overrides the simulator-wide throughput for this number (above 80: Meta's HIGH level). */
  throughputPerSecond?: number;
  /**
   * Meta's messaging limit: unique customers reached by business-initiated conversations (templates
   * outside the customer-service window) in a moving 24 hours. Unlimited when absent.
   */
  messagingLimitTier?: 'TIER_250' | 'TIER_2K' | 'TIER_10K' | 'TIER_100K' | 'TIER_UNLIMITED';
}

export interface TemplateSeed {
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  status?: string;
  parameterFormat?: 'POSITIONAL' | 'NAMED';
  components: Record<string, unknown>[];
  quality?: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
}

export interface WebhookTarget {
  url: string;
  appSecret: string;
}

export interface SimulatedWaba {
  id: string;
  phoneNumbers: SimulatedPhoneNumber[];
  /** Defaults to a `hello_world` template, as Meta seeds every new WABA. */
  templates?: TemplateSeed[];
  /** Webhook target of the app subscribed to this WABA; falls back to the simulator-wide one. */
  webhook?: WebhookTarget;
}

export interface SimulatedToken {
  token: string;
  /** WABAs (and so their phone numbers) this token may use. */
  wabaIds: string[];
  /** Epoch ms; after it the token answers 190/463 (expired). */
  expiresAt?: number;
  appId?: string;
}

export interface CustomerProfile {
  waId: string;
  name: string;
  /** Business-scoped user id (BSUID), e.g. `US.7731946620185347712`. */
  userId?: string;
  parentUserId?: string;
  username?: string;
}

export interface StatusDelays {
  sent: number;
  delivered: number;
  /** null: the customer never reads (or has read receipts off). */
  read: number | null;
}

export interface WebhookRetry {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export interface SimulatorOptions {
  wabas?: SimulatedWaba[];
  tokens?: SimulatedToken[];
  webhook?: WebhookTarget;
  /** Messages per second per phone number (Meta default 80). */
  throughputPerSecond?: number;
  /** Per business number → customer: a bucket of `burst` messages refilled one per `intervalMs`. */
  pairRate?: { burst: number; intervalMs: number };
  /** Each delay runs after the previous status (sent after accept, delivered after sent, …). */
  statusDelaysMs?: Partial<StatusDelays>;
  templateReviewDelayMs?: number;
  /** Recipients whose messages fail with 131026. */
  notOnWhatsApp?: string[];
  customers?: CustomerProfile[];
  seed?: number | string;
  /** Clock for timestamps, the 24-hour window and rate limits (timers still run in real time). */
  now?: () => number;
  webhookRetry?: Partial<WebhookRetry>;
  /** Parallel webhook POSTs; 1 keeps delivery order (Meta does not promise order). */
  webhookConcurrency?: number;
  /** Base URL written into media and paging links; defaults to the Host of each request. */
  publicUrl?: string;
  mediaUrlTtlMs?: number;
  /** Meta sends non-ASCII as \uXXXX escapes; keep on to exercise raw-byte signature checks. */
  escapeNonAscii?: boolean;
  /** Adds /_simulator/* routes to drive the simulator from another process (sandbox, e2e). */
  controlRoutes?: boolean;
  logger?: FastifyBaseLogger;
  /** Delivers webhook POSTs (default: global fetch). */
  webhookFetch?: typeof fetch;
}

export const defaultAccessToken = 'simulator-access-token';
export const defaultAppSecret = 'simulator-app-secret';

/** Ids from /work/shared/fixtures/whatsapp (README): the tests' fixtures and the simulator agree. */
export const defaultWabas: SimulatedWaba[] = [
  {
    id: '310000000000001',
    phoneNumbers: [
      { id: '420000000000001', displayPhoneNumber: '15550101010', verifiedName: 'Parley Demo Store' },
    ],
  },
  {
    id: '310000000000002',
    phoneNumbers: [
      { id: '420000000000002', displayPhoneNumber: '15550102020', verifiedName: 'Parley Second Store' },
    ],
  },
];

export const defaultCustomers: CustomerProfile[] = [
  {
    waId: '15550123456',
    name: 'Maya Lindqvist',
    userId: 'US.7731946620185347712',
    parentUserId: 'US.ENT.5518203377461902231',
  },
];

export const helloWorldTemplate: TemplateSeed = {
  name: 'hello_world',
  language: 'en_US',
  category: 'UTILITY',
  status: 'APPROVED',
  parameterFormat: 'POSITIONAL',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
    {
      type: 'BODY',
      text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta.',
    },
    { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
  ],
};

export interface ResolvedOptions {
  wabas: SimulatedWaba[];
  tokens: SimulatedToken[];
  webhook: WebhookTarget | undefined;
  throughputPerSecond: number;
  pairRate: { burst: number; intervalMs: number };
  statusDelaysMs: StatusDelays;
  templateReviewDelayMs: number;
  notOnWhatsApp: string[];
  customers: CustomerProfile[];
  seed: number | string;
  now: () => number;
  webhookRetry: WebhookRetry;
  webhookConcurrency: number;
  publicUrl: string | undefined;
  mediaUrlTtlMs: number;
  escapeNonAscii: boolean;
  controlRoutes: boolean;
  logger: FastifyBaseLogger | undefined;
  webhookFetch: typeof fetch | undefined;
}

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const wabas = options.wabas ?? defaultWabas;
  return {
    wabas,
    tokens: options.tokens ?? [{ token: defaultAccessToken, wabaIds: wabas.map((waba) => waba.id) }],
    webhook: options.webhook,
    throughputPerSecond: options.throughputPerSecond ?? 80,
    // Meta "Throughput": about one message every 6 s to the same user; bursts of up to 45 are tolerated
    // but borrowed from later (after a 20-message burst, wait about 2 minutes).
    pairRate: options.pairRate ?? { burst: 45, intervalMs: 6_000 },
    statusDelaysMs: { sent: 5, delivered: 10, read: 20, ...options.statusDelaysMs },
    templateReviewDelayMs: options.templateReviewDelayMs ?? 20,
    notOnWhatsApp: options.notOnWhatsApp ?? [],
    customers: options.customers ?? defaultCustomers,
    seed: options.seed ?? 1,
    now: options.now ?? Date.now,
    webhookRetry: {
      maxAttempts: 6,
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      timeoutMs: 10_000,
      ...options.webhookRetry,
    },
    webhookConcurrency: options.webhookConcurrency ?? 1,
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    mediaUrlTtlMs: options.mediaUrlTtlMs ?? 5 * 60_000,
    escapeNonAscii: options.escapeNonAscii ?? true,
    controlRoutes: options.controlRoutes ?? false,
    logger: options.logger,
    webhookFetch: options.webhookFetch,
  };
}
