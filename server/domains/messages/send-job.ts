import { sql } from 'slonik';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { withTenant, type Tx } from '../../db/tx.ts';
import { isDatabaseUnavailable } from '../../db/unavailable.ts';
import { callbackDataFor } from '../../whatsapp/callback-data.ts';
import { GraphApiError } from '../../whatsapp/errors.ts';
import { outboundMessageSchema } from '../../whatsapp/message-payloads.ts';
import { channelGraph, readSecrets } from '../channels/service.ts';
import { MediaGone, withMetaMediaId } from '../media/send.ts';

/** requestId: the request that queued the send, so the job's log lines carry the same id. */
export const messageSendPayload = z.object({
  tenantId: z.uuid(),
  messageId: z.uuid(),
  requestId: z.string().optional(),
});
export type MessageSendPayload = z.infer<typeof messageSendPayload>;

/** The send pipeline's clock: defaults for production, shorter in tests. */
export interface SendTiming {
  /**
   * How long a job's claim on sending a message lasts (plus its rate-limit wait): twice the Graph
   * client's 15 s timeout, so a call in flight on a node that lost its database has certainly ended
   * before another attempt looks at the message.
   */
  claimSeconds: number;
  /** A rate-limit wait up to this is slept in the worker; a longer one puts the job back for later. */
  maxInlineWaitSeconds: number;
  /**
   * After a send whose outcome is unknown (connection dropped, timeout, worker died after the call):
   * how long status webhooks may take to tell whether Meta accepted it, before Parley decides it did not.
   */
  reconcileSeconds: number;
  /** Retryable failures (throttling, transient) before the message fails for good. */
  maxAttempts: number;
  /** Backoff before retry number `attempt` (1-based): exponential, capped, with full jitter. */
  backoffSeconds: (attempt: number) => number;
  /** Test seam: runs right after Meta answered, before the answer is recorded (a crash there). */
  afterGraphCall?: () => void;
}

export const defaultSendTiming: SendTiming = {
  claimSeconds: 30,
  maxInlineWaitSeconds: 3,
  reconcileSeconds: 120,
  maxAttempts: 8,
  backoffSeconds: (attempt) => {
    const ceiling = Math.min(600, 2 ** attempt);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  },
};

/** What the job does next: nothing (sent, failed, or nothing left to send), or run again later. */
export type SendOutcome =
  | { kind: 'done'; result: 'sent' | 'failed' | 'nothing-to-send' }
  | { kind: 'later'; afterSeconds: number; reason: 'rate-limit' | 'in-progress' | 'retry' | 'reconciling' };

const pendingRow = z.object({
  content: z.unknown(),
  phoneNumberId: z.string(),
  channelId: z.string(),
  graphApiVersion: z.string(),
  graphApiBaseUrl: z.string().nullable(),
  channelStatus: z.string(),
  /** Seconds the live claim of another attempt still runs; null when none. */
  claimLeftSeconds: z.number().nullable(),
  /** Seconds since a Graph call whose outcome is unknown; null when none. */
  attemptAgeSeconds: z.number().nullable(),
  sendAttempts: z.number(),
});

/** The pending message with what sending it needs. */
async function loadPending(tx: Tx, messageId: string) {
  return tx.maybeOne(sql.type(pendingRow)`
    select m.content, p.phone_number_id as "phoneNumberId", c.id as "channelId", c.graph_api_version as "graphApiVersion",
           c.graph_api_base_url as "graphApiBaseUrl", c.status as "channelStatus",
           case when m.send_claimed_until > now() then extract(epoch from m.send_claimed_until - now())::float8 end as "claimLeftSeconds",
           extract(epoch from now() - m.send_attempted_at)::float8 as "attemptAgeSeconds",
           m.send_attempts as "sendAttempts"
    from app_public.messages m
    join app_public.conversations v on v.id = m.conversation_id
    join app_public.phone_numbers p on p.id = v.phone_number_id
    join app_public.channels c on c.id = p.channel_id
    where m.id = ${messageId} and m.status = 'pending' and m.wamid is null and m.direction = 'outbound'
  `);
}

const slotRow = z.object({
  waitSeconds: z.number().nullable(),
  refusal: z.string().nullable(),
  tierLimit: z.number().nullable(),
});

/**
 * Claims the message for this attempt and records the Graph call about to be made, in the same
 * statement: from here on, a failure to learn Meta's answer leaves a trace that stops any blind resend.
 */
async function claimAndRecordAttempt(tx: Tx, messageId: string, claimSeconds: number): Promise<boolean> {
  const claimed = await tx.maybeOneFirst(sql.type(z.object({ id: z.string() }))`
    update app_public.messages
    set send_claimed_until = now() + make_interval(secs => ${claimSeconds}), send_attempted_at = now()
    where id = ${messageId} and status = 'pending' and wamid is null and send_attempted_at is null
      and (send_claimed_until is null or send_claimed_until < now())
    returning id
  `);
  return claimed !== null;
}

/**
 * Records the wamid Meta gave the message, then lets app_public.apply_best_status raise it to any
 * status that raced ahead of this update (waiting in message_statuses), with a failure's error.
 */
export async function recordSent(tx: Tx, messageId: string, wamid: string): Promise<void> {
  await tx.query(sql.unsafe`
    update app_public.messages set wamid = ${wamid}, send_claimed_until = null, send_attempted_at = null, error = null
    where id = ${messageId}
  `);
  await tx.query(sql.unsafe`select app_public.apply_best_status(${wamid})`);
}

const failMessage = (tx: Tx, messageId: string, error: object) =>
  tx.query(sql.unsafe`
    update app_public.messages
    set status = 'failed', error = ${sql.jsonb(error as never)}, send_claimed_until = null, send_attempted_at = null
    where id = ${messageId} and status = 'pending' and wamid is null
  `);

type Step =
  | { next: 'outcome'; outcome: SendOutcome }
  | {
      next: 'send';
      waitSeconds: number;
      pending: z.infer<typeof pendingRow> & { accessToken: string };
    };

/**
 * The message.send job: sends one pending outbound message through the Graph API, at the pace the
 * shared SQL buckets allow (41-send-limits.sql), and records Meta's wamid (statuses then arrive by
 * webhook). Never holds a transaction open while Meta answers.
 *
 * - Must wait for a limit: sleeps up to maxInlineWaitSeconds, else comes back later (never fails).
 * - Over the messaging tier: fails with a reason the agent can act on.
 * - Meta refused it (permanent code): fails at once with Meta's error.
 * - Meta answered with a throttling or transient error: retried after a jittered backoff.
 * - Meta's answer was lost: never resent blindly (see README, "Sending exactly once").
 */
export async function sendPendingMessage(
  services: AppServices,
  payload: MessageSendPayload,
  timing: SendTiming = services.sendTiming,
): Promise<SendOutcome> {
  const { tenantId, messageId } = payload;
  const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(services.pools.app, tenantId, fn);
  const log = services.logger.child({ reqId: payload.requestId, messageId });

  const step = await inTenant(async (tx): Promise<Step> => {
    const found = await loadPending(tx, messageId);
    if (!found) return done('nothing-to-send'); // already sent, failed or deleted: a duplicate job
    if (found.channelStatus === 'disabled') {
      await failMessage(tx, messageId, { kind: 'channel', message: 'The channel is disabled.' });
      return done('failed');
    }
    if (found.claimLeftSeconds !== null) {
      // Another attempt is talking to Meta about this message right now.
      return later(found.claimLeftSeconds + 1, 'in-progress');
    }
    if (found.attemptAgeSeconds !== null) return reconcile(tx, found.attemptAgeSeconds);
    const slot = await tx.one(sql.type(slotRow)`
      select wait_seconds as "waitSeconds", refusal, tier_limit as "tierLimit"
      from app_public.reserve_send_slot(${messageId}, ${timing.maxInlineWaitSeconds})
    `);
    if (slot.refusal === 'tier') {
      await failMessage(tx, messageId, {
        kind: 'messaging-limit',
        message: `Not sent: this number may start conversations with at most ${slot.tierLimit} customers in 24 hours (its WhatsApp messaging limit), and has reached it. Try again tomorrow, or reply once the customer writes.`,
      });
      return done('failed');
    }
    const waitSeconds = slot.waitSeconds ?? 0;
    if (waitSeconds > timing.maxInlineWaitSeconds) return later(waitSeconds, 'rate-limit');
    if (!(await claimAndRecordAttempt(tx, messageId, timing.claimSeconds + waitSeconds)))
      return later(1, 'in-progress');
    const { accessToken } = await readSecrets(tx, services, found.channelId);
    return { next: 'send', waitSeconds, pending: { ...found, accessToken } };
  });
  if (step.next === 'outcome') return step.outcome;

  /** The last call's answer never came: wait for status webhooks to say whether Meta took it. */
  async function reconcile(tx: Tx, attemptAgeSeconds: number): Promise<Step> {
    if (attemptAgeSeconds < timing.reconcileSeconds) {
      return later(timing.reconcileSeconds - attemptAgeSeconds, 'reconciling');
    }
    // No status named this message within the wait: Meta did not accept it (it reports every accepted
    // message). Parley still does not resend on its own: the agent decides, with this explanation.
    log.warn('no status for a send whose answer was lost; marked failed, not resent');
    await failMessage(tx, messageId, {
      kind: 'unknown-outcome',
      message: `The connection to WhatsApp dropped while sending, and WhatsApp reported nothing about this message within ${Math.round(timing.reconcileSeconds)} s: it was most likely not sent. Send it again if the customer did not get it.`,
    });
    return done('failed');
  }

  const { pending, waitSeconds } = step;
  if (waitSeconds > 0) await sleep(waitSeconds * 1000);
  const graph = channelGraph(services, pending, pending.accessToken);
  const claimEnds = Date.now() + (timing.claimSeconds + waitSeconds) * 1000;
  // Media replies: the file goes to Meta first (once), and the message names it by media id. A failed
  // upload sent no message, so its retry needs no reconciliation.
  let content: unknown;
  try {
    content = await withMetaMediaId(inTenant, graph, { ...pending, id: messageId });
  } catch (error) {
    timing.afterGraphCall?.();
    if (error instanceof MediaGone) {
      return inTenant(async (tx) => {
        await failMessage(tx, messageId, { kind: 'media', message: error.message });
        return done('failed').outcome;
      });
    }
    return inTenant((tx) => recordFailure(tx, error, { messageMayHaveLeft: false }));
  }
  const body = outboundMessageSchema.parse({
    ...(content as object),
    biz_opaque_callback_data: callbackDataFor(messageId),
  });
  let wamid: string;
  try {
    ({ wamid } = await graph.sendMessage(pending.phoneNumberId, body));
  } catch (error) {
    timing.afterGraphCall?.();
    return inTenant((tx) => recordFailure(tx, error));
  }
  timing.afterGraphCall?.();

  // Meta has the message now: if the database is unreachable, keep trying while the claim holds. If it
  // never comes back, the recorded attempt keeps any later attempt from sending again.
  for (;;) {
    try {
      await inTenant((tx) => recordSent(tx, messageId, wamid));
      return { kind: 'done', result: 'sent' };
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() > claimEnds - 2_000) {
        log.error({ err: error, wamid }, 'Meta accepted the message but its wamid could not be recorded yet');
        throw error;
      }
      await sleep(1_000);
    }
  }

  async function recordFailure(
    tx: Tx,
    error: unknown,
    { messageMayHaveLeft = true } = {},
  ): Promise<SendOutcome> {
    if (messageMayHaveLeft && !metaAnswered(error)) {
      // Meta may have accepted it: keep the recorded attempt and let the status webhooks tell.
      log.warn({ err: error }, 'the answer to a send was lost; reconciling from status webhooks');
      await tx.query(sql.unsafe`
        update app_public.messages set send_claimed_until = null, error = ${sql.jsonb({
          retrying: true,
          kind: 'unknown-outcome',
          message: 'The connection to WhatsApp dropped while sending: waiting for WhatsApp to report on it.',
        })}
        where id = ${messageId} and status = 'pending' and wamid is null
      `);
      return later(timing.reconcileSeconds, 'reconciling').outcome;
    }
    const graphError = error instanceof GraphApiError ? error : undefined;
    if (graphError && !graphError.retryable) {
      log.warn({ code: graphError.code, kind: graphError.kind }, 'Meta refused the message; marked failed');
      await failMessage(tx, messageId, metaError(graphError));
      if (graphError.kind === 'auth') {
        await tx.query(sql.unsafe`
          update app_public.channels set status = 'needs_reauth', last_test_error = ${graphError.message}
          where id = ${pending.channelId}
        `);
      }
      return done('failed').outcome;
    }
    const attempts = pending.sendAttempts + 1;
    if (attempts >= timing.maxAttempts) {
      await failMessage(tx, messageId, {
        ...retryReason(error),
        retrying: false,
        message: `Not sent: WhatsApp kept failing after ${attempts} attempts. Send it again later.`,
        detail: describe(error),
      });
      return done('failed').outcome;
    }
    log.warn({ err: error, attempts }, 'sending failed; will retry');
    // Still pending, but the agent sees why it has not gone yet (until it is sent or fails).
    await tx.query(sql.unsafe`
      update app_public.messages
      set error = ${sql.jsonb(retryReason(error))}, send_attempts = ${attempts},
          send_claimed_until = null, send_attempted_at = null
      where id = ${messageId} and status = 'pending' and wamid is null
    `);
    return later(timing.backoffSeconds(attempts), 'retry').outcome;
  }
}

const done = (result: 'sent' | 'failed' | 'nothing-to-send') =>
  ({ next: 'outcome', outcome: { kind: 'done', result } }) as const;
const later = (afterSeconds: number, reason: Extract<SendOutcome, { kind: 'later' }>['reason']) =>
  ({ next: 'outcome', outcome: { kind: 'later', afterSeconds, reason } }) as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether Meta certainly did not accept the message: it answered with a Graph error, or the request
 * never left (connection refused, unknown host). A timeout, a dropped connection or a proxy's bare
 * 5xx may have followed an accepted send.
 */
function metaAnswered(error: unknown): boolean {
  if (!(error instanceof GraphApiError)) return false;
  if (error.code !== null && error.httpStatus > 0) return true;
  if (error.type === 'InvalidRequest') return true; // refused before sending
  return error.type === 'NetworkError' && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(error.message);
}

function metaError(error: GraphApiError) {
  return {
    code: error.code,
    subcode: error.subcode,
    message: error.details ? `${error.message}: ${error.details}` : error.message,
    kind: error.kind,
    hint: error.hint,
  };
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Why a send is being retried, in words an agent can act on. */
function retryReason(error: unknown) {
  if (error instanceof GraphApiError && error.code !== null) {
    return {
      retrying: true,
      kind: error.kind,
      code: error.code,
      message: `WhatsApp answered: ${error.message}`,
    };
  }
  return { retrying: true, kind: 'network', message: `WhatsApp could not be reached (${describe(error)}).` };
}

/**
 * message.send.dead: the job itself kept failing (a crash, the database gone) until its retries ran
 * out. The message must not stay "pending" forever: it fails, saying so, and the agent can send it
 * again. A message whose Graph call had no recorded answer is left to reconciliation instead (false).
 */
export async function failUnsentMessage(
  services: AppServices,
  payload: MessageSendPayload,
): Promise<boolean> {
  return withTenant(services.pools.app, payload.tenantId, async (tx) => {
    await tx.query(sql.unsafe`
      update app_public.messages
      set status = 'failed',
          error = jsonb_strip_nulls(jsonb_build_object(
            'kind', 'transient',
            'message', 'Not sent: Meta or the network kept failing after repeated attempts. Send it again.',
            'code', error->'code',
            'detail', error->>'message'))
      where id = ${payload.messageId} and status = 'pending' and wamid is null and send_attempted_at is null
    `);
    // True unless the message waits for its lost answer to be reconciled (then the caller comes back).
    return !(await tx.exists(sql.unsafe`
      select 1 from app_public.messages
      where id = ${payload.messageId} and status = 'pending' and wamid is null and send_attempted_at is not null
    `));
  });
}
