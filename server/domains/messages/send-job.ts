import { sql } from 'slonik';
import { graphErrors, messagesSent } from '../../observability/metrics.ts';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { withTenant, type Tx } from '../../db/tx.ts';
import { isDatabaseUnavailable } from '../../db/unavailable.ts';
import { callbackDataFor } from '../../whatsapp/callback-data.ts';
import { GraphApiError } from '../../whatsapp/errors.ts';
import type { GraphClient } from '../../whatsapp/graph-client.ts';
import { outboundMessageSchema } from '../../whatsapp/message-payloads.ts';
import { sealedAccessToken } from '../channels/queries.ts';
import { secretContext } from '../channels/secrets.ts';
import { channelGraph } from '../channels/service.ts';
import { MediaGone, withMetaMediaId } from '../media/send.ts';

/**
 * requestId: the request that queued the send, so the job's log lines carry the same id. slotAt: a
 * rate-limit slot already reserved for this message (database clock, ISO): the job comes back shortly
 * before it and sends then, without reserving again.
 */
export const messageSendPayload = z.object({
  tenantId: z.uuid(),
  messageId: z.uuid(),
  requestId: z.string().optional(),
  slotAt: z.string().optional(),
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
   * How far ahead a rate-limit slot may be reserved. A message whose slot is further than
   * maxInlineWaitSeconds keeps it and its job comes back just before it; beyond this, nothing is
   * reserved and the job simply comes back later.
   */
  reserveAheadSeconds: number;
  /**
   * After a send whose outcome is unknown (connection dropped, timeout, worker died after the call):
   * how long status webhooks may take to tell whether Meta accepted it, before Parley decides it did not.
   */
  reconcileSeconds: number;
  /** Retryable failures (throttling, transient) before the message fails for good. */
  maxAttempts: number;
  /** Backoff before retry number `attempt` (1-based): exponential, capped, with full jitter. */
  backoffSeconds: (attempt: number) => number;
  /** Test seam: runs after the rate-slot wait, before the Graph calls (a crash while waiting). */
  beforeGraphCall?: () => void;
  /** Test seam: runs right after Meta answered, before the answer is recorded (a crash there). */
  afterGraphCall?: () => void;
}

export const defaultSendTiming: SendTiming = {
  claimSeconds: 30,
  maxInlineWaitSeconds: 3,
  reserveAheadSeconds: 60,
  reconcileSeconds: 120,
  maxAttempts: 8,
  backoffSeconds: (attempt) => {
    const ceiling = Math.min(600, 2 ** attempt);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  },
};

/**
 * A reserved slot missed by more than this (the job came back late) is given up and a new one
 * reserved: sending many late messages at once could outrun Meta's one-second bucket.
 */
const lateSlotSeconds = 0.5;

/** What the job does next: nothing (sent, failed, or nothing left to send), or run again later. */
export type SendOutcome =
  | { kind: 'done'; result: 'sent' | 'failed' | 'nothing-to-send' }
  | {
      kind: 'later';
      afterSeconds: number;
      reason: 'rate-limit' | 'in-progress' | 'retry' | 'reconciling';
      /** The rate-limit slot reserved for the message, to keep when the job comes back. */
      slotAt?: string;
    };

const pendingRow = z.object({
  id: z.string(),
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
  /** Seconds until the slot the job carries (negative: passed); null when it carries none. */
  slotLeftSeconds: z.number().nullable(),
});
type PendingRow = z.infer<typeof pendingRow>;

/** The pending messages of a batch with what sending them needs (the others: sent, failed or gone). */
async function loadPending(tx: Tx, payloads: MessageSendPayload[]) {
  const ids = payloads.map((payload) => payload.messageId);
  const slots = payloads.map((payload) => payload.slotAt ?? null);
  return tx.any(sql.type(pendingRow)`
    select m.id, m.content, p.phone_number_id as "phoneNumberId", c.id as "channelId", c.graph_api_version as "graphApiVersion",
           c.graph_api_base_url as "graphApiBaseUrl", c.status as "channelStatus",
           case when m.send_claimed_until > now() then extract(epoch from m.send_claimed_until - now())::float8 end as "claimLeftSeconds",
           extract(epoch from now() - m.send_attempted_at)::float8 as "attemptAgeSeconds",
           m.send_attempts as "sendAttempts",
           extract(epoch from j.slot_at - clock_timestamp())::float8 as "slotLeftSeconds"
    from unnest(${sql.array(ids, 'uuid')}::uuid[], ${sql.array(slots as string[], 'text')}::timestamptz[]) as j(id, slot_at)
    join app_public.messages m on m.id = j.id
    join app_public.conversations v on v.id = m.conversation_id
    join app_public.phone_numbers p on p.id = v.phone_number_id
    join app_public.channels c on c.id = p.channel_id
    where m.status = 'pending' and m.wamid is null and m.direction = 'outbound'
  `);
}

const slotRow = z.object({
  messageId: z.string(),
  waitSeconds: z.number().nullable(),
  slotAt: z.string().nullable(),
  refusal: z.string().nullable(),
  tierLimit: z.number().nullable(),
});

/**
 * Claims the messages for this attempt: no other attempt sends them while the claim holds. Returns
 * each claimed id with its claim's end (the attempt's token: recordAttempts checks it is still its own).
 */
async function claimMessages(
  tx: Tx,
  claims: { id: string; seconds: number }[],
): Promise<Map<string, string>> {
  if (claims.length === 0) return new Map();
  const claimed = await tx.any(sql.type(z.object({ id: z.string(), claim: z.string() }))`
    update app_public.messages m
    set send_claimed_until = now() + make_interval(secs => c.seconds)
    from unnest(${sql.array(
      claims.map((claim) => claim.id),
      'uuid',
    )}::uuid[], ${sql.array(
      claims.map((claim) => claim.seconds),
      'float8',
    )}::float8[]) as c(id, seconds)
    where m.id = c.id and m.status = 'pending' and m.wamid is null and m.send_attempted_at is null
      and (m.send_claimed_until is null or m.send_claimed_until < now())
    returning m.id, m.send_claimed_until::text as claim
  `);
  return new Map(claimed.map((row) => [row.id, row.claim]));
}

/**
 * Records the Graph calls about to be made, right before making them (after the rate-slot wait and
 * any media upload): from here on, a failure to learn Meta's answer leaves a trace that stops any
 * blind resend, while a worker that dies before this point sent nothing and leaves the message to be
 * sent by the next attempt once its claim runs out. Only messages whose claim is still this attempt's
 * are recorded; returns their ids.
 */
async function recordAttempts(
  tx: Tx,
  attempts: { id: string; claim: string }[],
  claimSeconds: number,
): Promise<Set<string>> {
  const recorded = await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
    update app_public.messages m
    set send_attempted_at = now(),
        send_claimed_until = greatest(m.send_claimed_until, now() + make_interval(secs => ${claimSeconds}))
    from unnest(${sql.array(
      attempts.map((attempt) => attempt.id),
      'uuid',
    )}::uuid[], ${sql.array(
      attempts.map((attempt) => attempt.claim),
      'text',
    )}::timestamptz[]) as a(id, claim)
    where m.id = a.id and m.send_claimed_until = a.claim and m.status = 'pending' and m.wamid is null
      and m.send_attempted_at is null
    returning m.id
  `);
  return new Set(recorded);
}

/**
 * Records the wamid Meta gave the message, then lets app_public.apply_best_status raise it to any
 * status that raced ahead of this update (waiting in message_statuses), with a failure's error.
 */
export async function recordSent(tx: Tx, messageId: string, wamid: string): Promise<void> {
  await recordSentMany(tx, [{ messageId, wamid }]);
}

/** recordSent for several messages in two statements (the send job's group commit). */
async function recordSentMany(tx: Tx, sent: { messageId: string; wamid: string }[]): Promise<void> {
  const wamids = sql.array(
    sent.map((one) => one.wamid),
    'text',
  );
  await tx.query(sql.unsafe`
    update app_public.messages m
    set wamid = s.wamid, send_claimed_until = null, send_attempted_at = null, error = null
    from unnest(${sql.array(
      sent.map((one) => one.messageId),
      'uuid',
    )}::uuid[], ${wamids}::text[]) as s(id, wamid)
    where m.id = s.id
  `);
  await tx.query(sql.unsafe`select app_public.apply_best_status(w) from unnest(${wamids}::text[]) as w`);
}

const failMessage = (tx: Tx, messageId: string, error: object) =>
  tx.query(sql.unsafe`
    update app_public.messages
    set status = 'failed', error = ${sql.jsonb(error as never)}, send_claimed_until = null, send_attempted_at = null
    where id = ${messageId} and status = 'pending' and wamid is null
  `);

/**
 * Decrypted access tokens by channel and ciphertext: a batch reads its channels' sealed tokens (one
 * short query each) but decrypts each only once per process. A token replaced by a credential update
 * on any node has a new ciphertext, so a cached plaintext is never used after its replacement.
 */
const decryptedTokens = new Map<string, string>();

async function accessTokens(tx: Tx, services: AppServices, channelIds: string[]) {
  const tokens = new Map<string, string>();
  for (const channelId of new Set(channelIds)) {
    const row = await tx.maybeOne(sealedAccessToken(channelId));
    if (!row) continue;
    const key = `${channelId}:${row.accessTokenKeyId}:${row.accessToken.toString('base64')}`;
    let token = decryptedTokens.get(key);
    if (token === undefined) {
      token = services.keyring.decrypt(
        { keyId: row.accessTokenKeyId, data: row.accessToken },
        secretContext(channelId, 'access_token'),
      );
      if (decryptedTokens.size >= 1000) decryptedTokens.clear();
      decryptedTokens.set(key, token);
    }
    tokens.set(channelId, token);
  }
  return tokens;
}

/** A message this batch claimed, with how long to wait for its slot and the token to send it with. */
interface Claimed {
  pending: PendingRow;
  waitSeconds: number;
  accessToken: string;
  payload: MessageSendPayload;
  /** The end of this attempt's claim, as the claim statement set it. */
  claim: string;
}

/**
 * The message.send job for one message; see sendPendingMessages. Throws what the batch would report
 * as this message's error.
 */
export async function sendPendingMessage(
  services: AppServices,
  payload: MessageSendPayload,
  timing: SendTiming = services.sendTiming,
): Promise<SendOutcome> {
  const [outcome] = await sendPendingMessages(services, [payload], timing);
  if (!outcome || outcome instanceof Error) throw outcome ?? new Error('no outcome');
  return outcome;
}

/**
 * The message.send job, for a batch of jobs at once: sends each pending outbound message through the
 * Graph API, at the pace the shared SQL buckets allow (41-send-limits.sql), and records Meta's wamid
 * (statuses then arrive by webhook). Never holds a transaction open while Meta answers. Per workspace
 * in the batch: one transaction loads, paces (app_public.reserve_send_slots) and claims every message;
 * the Graph calls then go side by side, each at its slot, over kept-alive connections; their wamids
 * are recorded in group commits.
 *
 * - Must wait for a limit: sleeps up to maxInlineWaitSeconds, else comes back later (never fails),
 *   keeping the slot it reserved when that is within reserveAheadSeconds.
 * - Over the messaging tier: fails with a reason the agent can act on.
 * - Meta refused it (permanent code): fails at once with Meta's error.
 * - Meta answered with a throttling or transient error: retried after a jittered backoff.
 * - Meta's answer was lost: never resent blindly (see README, "Sending exactly once").
 *
 * Returns one outcome per payload, in order: an Error where that message's job itself failed.
 */
export async function sendPendingMessages(
  services: AppServices,
  payloads: MessageSendPayload[],
  timing: SendTiming = services.sendTiming,
): Promise<(SendOutcome | Error)[]> {
  const byTenant = new Map<string, MessageSendPayload[]>();
  for (const payload of payloads) {
    const group = byTenant.get(payload.tenantId) ?? [];
    group.push(payload);
    byTenant.set(payload.tenantId, group);
  }
  const outcomes = new Map<string, SendOutcome | Error>();
  await Promise.all(
    [...byTenant].map(async ([tenantId, group]) => {
      try {
        for (const [messageId, outcome] of await sendTenantBatch(services, tenantId, group, timing)) {
          outcomes.set(messageId, outcome);
        }
      } catch (error) {
        for (const payload of group) outcomes.set(payload.messageId, toError(error));
      }
    }),
  );
  // A duplicate job for a message in the same batch finds nothing left to do.
  const seen = new Set<string>();
  return payloads.map((payload) => {
    if (seen.has(payload.messageId)) return { kind: 'done', result: 'nothing-to-send' };
    seen.add(payload.messageId);
    return outcomes.get(payload.messageId) ?? { kind: 'done', result: 'nothing-to-send' };
  });
}

async function sendTenantBatch(
  services: AppServices,
  tenantId: string,
  group: MessageSendPayload[],
  timing: SendTiming,
): Promise<Map<string, SendOutcome | Error>> {
  const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(services.pools.app, tenantId, fn);
  const payloads = [...new Map(group.map((payload) => [payload.messageId, payload])).values()];
  const outcomes = new Map<string, SendOutcome | Error>();
  const logFor = (payload: MessageSendPayload) =>
    services.logger.child({ reqId: payload.requestId, messageId: payload.messageId });

  const claimed = await inTenant(async (tx): Promise<Claimed[]> => {
    const found = new Map((await loadPending(tx, payloads)).map((row) => [row.id, row]));
    const toReserve: PendingRow[] = [];
    const toClaim: { pending: PendingRow; waitSeconds: number }[] = [];
    for (const payload of payloads) {
      const pending = found.get(payload.messageId);
      // Already sent, failed or deleted: a duplicate job.
      if (!pending) outcomes.set(payload.messageId, done('nothing-to-send'));
      else if (pending.channelStatus === 'disabled') {
        await failMessage(tx, pending.id, { kind: 'channel', message: 'The channel is disabled.' });
        outcomes.set(pending.id, done('failed'));
      } else if (pending.claimLeftSeconds !== null) {
        // Another attempt is talking to Meta about this message right now.
        outcomes.set(pending.id, later(pending.claimLeftSeconds + 1, 'in-progress'));
      } else if (pending.attemptAgeSeconds !== null) {
        outcomes.set(pending.id, await reconcile(tx, pending.attemptAgeSeconds, payload));
      } else if (pending.slotLeftSeconds !== null && pending.slotLeftSeconds > -lateSlotSeconds) {
        // Its slot was reserved when the job was put back: it goes then.
        if (pending.slotLeftSeconds > timing.maxInlineWaitSeconds) {
          outcomes.set(pending.id, deferToSlot(pending.slotLeftSeconds, payload.slotAt));
        } else toClaim.push({ pending, waitSeconds: Math.max(0, pending.slotLeftSeconds) });
      } else toReserve.push(pending);
    }

    if (toReserve.length > 0) {
      const slots = await tx.any(sql.type(slotRow)`
        select message_id as "messageId", wait_seconds as "waitSeconds", slot_at as "slotAt",
               refusal, tier_limit as "tierLimit"
        from app_public.reserve_send_slots(${sql.array(
          toReserve.map((pending) => pending.id),
          'uuid',
        )}, ${timing.reserveAheadSeconds})
      `);
      const bySlot = new Map(slots.map((slot) => [slot.messageId, slot]));
      for (const pending of toReserve) {
        const slot = bySlot.get(pending.id);
        if (!slot) {
          outcomes.set(pending.id, done('nothing-to-send'));
        } else if (slot.refusal === 'tier') {
          await failMessage(tx, pending.id, {
            kind: 'messaging-limit',
            message: `Not sent: this number may start conversations with at most ${slot.tierLimit} customers in 24 hours (its WhatsApp messaging limit), and has reached it. Try again tomorrow, or reply once the customer writes.`,
          });
          outcomes.set(pending.id, done('failed'));
        } else {
          const waitSeconds = slot.waitSeconds ?? 0;
          if (slot.slotAt === null) {
            // Not even within reserveAheadSeconds: come back when it would be.
            const afterSeconds = Math.max(1, waitSeconds - timing.reserveAheadSeconds / 2);
            outcomes.set(pending.id, later(afterSeconds, 'rate-limit'));
          } else if (waitSeconds > timing.maxInlineWaitSeconds) {
            outcomes.set(pending.id, deferToSlot(waitSeconds, slot.slotAt));
          } else toClaim.push({ pending, waitSeconds });
        }
      }
    }

    const won = await claimMessages(
      tx,
      toClaim.map(({ pending, waitSeconds }) => ({
        id: pending.id,
        seconds: timing.claimSeconds + waitSeconds,
      })),
    );
    const mine = toClaim.filter(({ pending }) => {
      if (won.has(pending.id)) return true;
      outcomes.set(pending.id, later(1, 'in-progress'));
      return false;
    });
    if (mine.length === 0) return [];
    const tokens = await accessTokens(
      tx,
      services,
      mine.map(({ pending }) => pending.channelId),
    );
    return mine.map(({ pending, waitSeconds }) => {
      const accessToken = tokens.get(pending.channelId);
      if (accessToken === undefined) throw new Error('The channel of a pending message has no access token.');
      const payload = payloads.find((one) => one.messageId === pending.id) as MessageSendPayload;
      return { pending, waitSeconds, accessToken, payload, claim: won.get(pending.id) as string };
    });
  });

  /** The job comes back shortly before its reserved slot (within the inline wait) and sends then. */
  function deferToSlot(waitSeconds: number, slotAt: string | undefined): SendOutcome {
    const lead = Math.max(timing.maxInlineWaitSeconds - 0.25, timing.maxInlineWaitSeconds / 2);
    return {
      kind: 'later',
      afterSeconds: Math.max(0, waitSeconds - lead),
      reason: 'rate-limit',
      ...(slotAt ? { slotAt } : {}),
    };
  }

  /** The last call's answer never came: wait for status webhooks to say whether Meta took it. */
  async function reconcile(
    tx: Tx,
    attemptAgeSeconds: number,
    payload: MessageSendPayload,
  ): Promise<SendOutcome> {
    if (attemptAgeSeconds < timing.reconcileSeconds) {
      return later(timing.reconcileSeconds - attemptAgeSeconds, 'reconciling');
    }
    // No status named this message within the wait: Meta did not accept it (it reports every accepted
    // message). Parley still does not resend on its own: the agent decides, with this explanation.
    logFor(payload).warn('no status for a send whose answer was lost; marked failed, not resent');
    await failMessage(tx, payload.messageId, {
      kind: 'unknown-outcome',
      message: `The connection to WhatsApp dropped while sending, and WhatsApp reported nothing about this message within ${Math.round(timing.reconcileSeconds)} s: it was most likely not sent. Send it again if the customer did not get it.`,
    });
    return done('failed');
  }

  const record = groupCommit((sent: { messageId: string; wamid: string }[]) =>
    inTenant((tx) => recordSentMany(tx, sent)),
  );
  const recordAttempt = groupCommit((attempts: { id: string; claim: string }[]) =>
    inTenant((tx) => recordAttempts(tx, attempts, timing.claimSeconds)),
  );
  const graphs = new Map<string, GraphClient>();
  const graphFor = ({ pending, accessToken }: Claimed) => {
    let graph = graphs.get(pending.channelId);
    if (!graph) {
      graph = channelGraph(services, pending, accessToken);
      graphs.set(pending.channelId, graph);
    }
    return graph;
  };

  await Promise.all(
    claimed.map(async (one) => {
      try {
        outcomes.set(one.pending.id, await sendClaimed(one));
      } catch (error) {
        outcomes.set(one.pending.id, toError(error));
      }
    }),
  );
  return outcomes;

  async function sendClaimed(one: Claimed): Promise<SendOutcome> {
    const { pending, waitSeconds } = one;
    const messageId = pending.id;
    const log = logFor(one.payload);
    if (waitSeconds > 0) await sleep(waitSeconds * 1000);
    timing.beforeGraphCall?.();
    const graph = graphFor(one);
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
          return done('failed');
        });
      }
      return inTenant((tx) => recordFailure(tx, error, { messageMayHaveLeft: false }));
    }
    const body = outboundMessageSchema.parse({
      ...(content as object),
      biz_opaque_callback_data: callbackDataFor(messageId),
    });
    // Recorded before the call, never earlier: an attempt that stops before here has sent nothing.
    if (!(await recordAttempt({ id: messageId, claim: one.claim })).has(messageId)) {
      // The claim ran out and another attempt holds the message now (or it is no longer pending).
      return later(1, 'in-progress');
    }
    let wamid: string;
    try {
      ({ wamid } = await graph.sendMessage(pending.phoneNumberId, body));
      messagesSent.inc({ phone_number_id: pending.phoneNumberId });
    } catch (error) {
      timing.afterGraphCall?.();
      graphErrors.inc({
        phone_number_id: pending.phoneNumberId,
        code: error instanceof GraphApiError ? String(error.code ?? error.httpStatus) : 'network',
      });
      return inTenant((tx) => recordFailure(tx, error));
    }
    timing.afterGraphCall?.();

    // Meta has the message now: if the database is unreachable, keep trying while the claim holds. If it
    // never comes back, the recorded attempt keeps any later attempt from sending again.
    for (;;) {
      try {
        await record({ messageId, wamid });
        return done('sent');
      } catch (error) {
        if (!isDatabaseUnavailable(error) || Date.now() > claimEnds - 2_000) {
          log.error(
            { err: error, wamid },
            'Meta accepted the message but its wamid could not be recorded yet',
          );
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
            message:
              'The connection to WhatsApp dropped while sending: waiting for WhatsApp to report on it.',
          })}
          where id = ${messageId} and status = 'pending' and wamid is null
        `);
        return later(timing.reconcileSeconds, 'reconciling');
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
        return done('failed');
      }
      const attempts = pending.sendAttempts + 1;
      if (attempts >= timing.maxAttempts) {
        await failMessage(tx, messageId, {
          ...retryReason(error),
          retrying: false,
          message: `Not sent: WhatsApp kept failing after ${attempts} attempts. Send it again later.`,
          detail: describe(error),
        });
        return done('failed');
      }
      log.warn({ err: error, attempts }, 'sending failed; will retry');
      // Still pending, but the agent sees why it has not gone yet (until it is sent or fails).
      await tx.query(sql.unsafe`
        update app_public.messages
        set error = ${sql.jsonb(retryReason(error))}, send_attempts = ${attempts},
            send_claimed_until = null, send_attempted_at = null
        where id = ${messageId} and status = 'pending' and wamid is null
      `);
      return later(timing.backoffSeconds(attempts), 'retry');
    }
  }
}

/**
 * Batches calls of `flush` (a group commit): the first item goes at once, items arriving while a
 * flush runs go together in the next. Each caller learns its own item's flush's result or error.
 */
function groupCommit<T, R = void>(flush: (items: T[]) => Promise<R>) {
  let waiting: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  let running = false;
  async function drain() {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        const result = await flush(batch.map((one) => one.item));
        for (const one of batch) one.resolve(result);
      } catch (error) {
        for (const one of batch) one.reject(error);
      }
    }
    running = false;
  }
  return (item: T) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!running) void drain();
    });
}

const toError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

const done = (result: 'sent' | 'failed' | 'nothing-to-send'): SendOutcome => ({ kind: 'done', result });
const later = (
  afterSeconds: number,
  reason: Extract<SendOutcome, { kind: 'later' }>['reason'],
): SendOutcome => ({ kind: 'later', afterSeconds, reason });

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
