import type { Queue } from 'pg-boss';
import { z } from 'zod';

/**
 * Every queue Parley runs, with its retry, expiry and dead-letter policy, in one place. Names follow
 * `<domain>.<action>`; each has a `<name>.dead` queue where jobs land after their last retry, so
 * failures stay visible (and replayable) instead of vanishing.
 *
 * `notify: true` makes pg-boss NOTIFY on insert so an idle worker wakes at once instead of waiting
 * for its next poll (pg-boss `useListenNotify`); polling remains as the backstop.
 */
export type QueueSettings = Omit<Queue, 'name' | 'deadLetter'>;

/**
 * A running job's worker refreshes its heartbeat every half of this; a supervising node fails (and so
 * retries) a job whose heartbeat is this stale, i.e. one whose process died. With the supervision
 * interval below, a killed worker's jobs run again within about 20 s, not after expireInSeconds
 * (minutes). pg-boss's minimum is 10. expireInSeconds stays the bound for a handler that hangs.
 */
export const heartbeatSeconds = 10;

/** How often supervising nodes look for stale heartbeats and expired jobs (pg-boss default: 60 s). */
export const superviseIntervalSeconds = 5;

export const queueSettings = {
  /** Turns a stored webhook delivery into rows; idempotent, so retries are safe. */
  'webhook.process': {
    retryLimit: 10,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 900,
    expireInSeconds: 300,
    heartbeatSeconds,
    notify: true,
    // pg-boss's own history, set explicitly: a finished job is worth nothing once its delivery is
    // processed (the delivery row tells what happened), and an unstarted one waits as long as its body.
    deleteAfterSeconds: 24 * 3600,
    retentionSeconds: 30 * 24 * 3600,
  },
  /** Drops webhook deliveries older than WEBHOOK_RETENTION_DAYS and prepares the coming days (hourly). */
  'webhook.retention': {
    retryLimit: 3,
    retryDelay: 60,
    expireInSeconds: 600,
    deleteAfterSeconds: 7 * 24 * 3600,
    retentionSeconds: 24 * 3600,
  },
  /** Drops realtime events older than REALTIME_RETENTION_MINUTES (every five minutes). */
  'realtime.prune': {
    retryLimit: 2,
    retryDelay: 30,
    expireInSeconds: 120,
    deleteAfterSeconds: 24 * 3600,
    retentionSeconds: 3600,
  },
  /** Reopens conversations whose snooze has ended (every minute). */
  'conversation.wake': {
    retryLimit: 2,
    retryDelay: 10,
    expireInSeconds: 120,
    deleteAfterSeconds: 24 * 3600,
    retentionSeconds: 3600,
  },
  /** Sends one outbound message through the Graph API (its own code decides which errors are worth a retry). */
  'message.send': {
    retryLimit: 8,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 600,
    expireInSeconds: 120,
    heartbeatSeconds,
    notify: true,
  },
  /** Marks a customer's messages read at Meta when an agent opens the conversation; worthless if late. */
  'message.read': {
    retryLimit: 3,
    retryDelay: 2,
    retryBackoff: true,
    expireInSeconds: 60,
    notify: true,
  },
  /** Downloads inbound media before Meta's short-lived ids expire. */
  'media.fetch': {
    retryLimit: 6,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 1800,
    expireInSeconds: 600,
    heartbeatSeconds,
    notify: true,
  },
  /** Deletes media older than each workspace's retention setting (daily). */
  'media.retention': {
    retryLimit: 3,
    retryDelay: 300,
    expireInSeconds: 3600,
    deleteAfterSeconds: 7 * 24 * 3600,
    retentionSeconds: 24 * 3600,
  },
  /** Fans a campaign out into message.send jobs; resumable, so one attempt at a time. */
  'campaign.run': {
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    expireInSeconds: 3600,
    heartbeatSeconds,
    notify: true,
  },
  /**
   * Imports one uploaded CSV of contacts in one transaction (all or nothing); a crash rolls it back
   * and a retry starts over, so a few attempts suffice.
   */
  'contact.import': {
    retryLimit: 2,
    retryDelay: 10,
    expireInSeconds: 1800,
    heartbeatSeconds,
    notify: true,
  },
  /** Folds analytics deltas into hourly rollups and rebuilds those due (every minute). */
  'analytics.rollup': {
    retryLimit: 2,
    retryDelay: 30,
    expireInSeconds: 1800,
    deleteAfterSeconds: 24 * 3600,
    retentionSeconds: 3600,
  },
  /** Re-reads a channel's templates from Meta (all pages) after template webhooks; idempotent. */
  'template.sync': {
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    expireInSeconds: 300,
    notify: true,
  },
  /** Composes and sends one email (password resets), so requests never wait on mail or reveal by timing. */
  'mail.send': {
    retryLimit: 5,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 120,
    notify: true,
  },
} as const satisfies Record<string, QueueSettings>;

export type QueueName = keyof typeof queueSettings;

export const queueNames = Object.keys(queueSettings) as QueueName[];

export function deadLetterQueue(name: string): string {
  return `${name}.dead`;
}

/** Dead letters are kept for two weeks for inspection and replay. */
export const deadLetterSettings: QueueSettings = {
  retryLimit: 0,
  retentionSeconds: 14 * 24 * 3600,
  deleteAfterSeconds: 14 * 24 * 3600,
};

/**
 * How workers poll. NOTIFY wakes them for new jobs, but retries and delayed jobs become due without
 * one, so the backstop poll bounds how late a retry can start; pg-boss's 30 s default is too coarse
 * for throttled sends.
 */
export const workerPolling = {
  pollingIntervalSeconds: 2,
  notifyPollingIntervalSeconds: 2,
} as const;

/**
 * webhook.process: stored deliveries to turn into rows — one (a replay, or a group commit of one) or
 * the deliveries of one group commit, with the requests that received them (for the log).
 */
export const webhookProcessPayload = z.union([
  z.object({ deliveryId: z.uuid(), requestId: z.string().optional() }),
  z.object({
    deliveryIds: z.array(z.uuid()).min(1),
    requestIds: z.array(z.string().nullable()).optional(),
  }),
]);

/** The deliveries of a webhook.process job, each with the request that received it. */
export function deliveriesOfJob(
  data: z.infer<typeof webhookProcessPayload>,
): { deliveryId: string; requestId?: string | undefined }[] {
  if ('deliveryId' in data) return [data];
  return data.deliveryIds.map((deliveryId, index) => ({
    deliveryId,
    requestId: data.requestIds?.[index] ?? undefined,
  }));
}

/** contact.import: one uploaded CSV of a workspace. */
export const contactImportPayload = z.object({ tenantId: z.uuid(), importId: z.uuid() });
