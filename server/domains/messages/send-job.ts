import { sql } from 'slonik';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { withTenant, type Tx } from '../../db/tx.ts';
import { isDatabaseUnavailable } from '../../db/unavailable.ts';
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

/**
 * How long a job's claim on sending a message lasts: twice the Graph client's 15 s timeout, so a call
 * in flight on a node that lost its database (whose job pg-boss retries elsewhere after the 10 s
 * heartbeat) has certainly ended before another attempt may send. What remains is a call that reached
 * Meta but whose wamid could not be recorded: see ARCHITECTURE.md, "Sending exactly once".
 */
export const sendClaimSeconds = 30;

/** Thrown when another attempt holds the claim: pg-boss retries later, and nothing is sent twice. */
export class SendInProgress extends Error {
  override name = 'SendInProgress';
}

/** Only one attempt at a time may send a message: false when another one holds a live claim. */
async function claimSend(tx: Tx, messageId: string): Promise<boolean> {
  const claimed = await tx.maybeOneFirst(sql.type(z.object({ id: z.string() }))`
    update app_public.messages
    set send_claimed_until = now() + make_interval(secs => ${sendClaimSeconds})
    where id = ${messageId} and status = 'pending' and wamid is null
      and (send_claimed_until is null or send_claimed_until < now())
    returning id
  `);
  return claimed !== null;
}

const pendingRow = z.object({
  content: z.unknown(),
  phoneNumberId: z.string(),
  channelId: z.string(),
  graphApiVersion: z.string(),
  graphApiBaseUrl: z.string().nullable(),
  channelStatus: z.string(),
});

/** The pending message with what sending it needs (the channel's token too), in one transaction. */
async function loadPending(tx: Tx, services: AppServices, messageId: string) {
  const pending = await tx.maybeOne(sql.type(pendingRow)`
    select m.content, p.phone_number_id as "phoneNumberId", c.id as "channelId", c.graph_api_version as "graphApiVersion",
           c.graph_api_base_url as "graphApiBaseUrl", c.status as "channelStatus"
    from app_public.messages m
    join app_public.conversations v on v.id = m.conversation_id
    join app_public.phone_numbers p on p.id = v.phone_number_id
    join app_public.channels c on c.id = p.channel_id
    where m.id = ${messageId} and m.status = 'pending' and m.wamid is null
  `);
  if (!pending || pending.channelStatus === 'disabled') return pending && { ...pending, accessToken: null };
  return { ...pending, accessToken: (await readSecrets(tx, services, pending.channelId)).accessToken };
}

/**
 * Records the wamid Meta gave the message, then lets app_public.apply_best_status raise it to any
 * status that raced ahead of this update (waiting in message_statuses), with a failure's error.
 */
export async function recordSent(tx: Tx, messageId: string, wamid: string): Promise<void> {
  await tx.query(
    sql.unsafe`update app_public.messages set wamid = ${wamid}, send_claimed_until = null where id = ${messageId}`,
  );
  await tx.query(sql.unsafe`select app_public.apply_best_status(${wamid})`);
}

const failMessage = (tx: Tx, messageId: string, error: object) =>
  tx.query(
    sql.unsafe`update app_public.messages set status = 'failed', error = ${sql.jsonb(error as never)} where id = ${messageId}`,
  );

/**
 * The message.send job: sends one pending outbound message through the Graph API and records Meta's
 * wamid (statuses then arrive by webhook). Errors Meta marks retryable (throttling, transient) throw,
 * so pg-boss retries with backoff; the others fail the message with Meta's error, never retried.
 * One transaction loads, one records the outcome; none is held open while Meta answers.
 */
export async function sendPendingMessage(
  services: AppServices,
  payload: z.infer<typeof messageSendPayload>,
): Promise<void> {
  const { tenantId, messageId } = payload;
  const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(services.pools.app, tenantId, fn);
  const pending = await inTenant(async (tx) => {
    const found = await loadPending(tx, services, messageId);
    // Right before talking to Meta: only one attempt at a time may send this message.
    if (found?.accessToken && !(await claimSend(tx, messageId)))
      throw new SendInProgress('Another attempt is sending this message; retrying later.');
    return found;
  });
  if (!pending) return; // already sent, failed or deleted: a retry or duplicate job has nothing to do
  if (!pending.accessToken) {
    await inTenant((tx) => failMessage(tx, messageId, { message: 'The channel is disabled.' }));
    return;
  }
  const graph = channelGraph(services, pending, pending.accessToken);
  const claimEnds = Date.now() + sendClaimSeconds * 1000;
  let wamid: string;
  try {
    // Media replies: the file goes to Meta first (once), and the message names it by media id.
    const content = await withMetaMediaId(inTenant, graph, { ...pending, id: messageId });
    ({ wamid } = await graph.sendMessage(pending.phoneNumberId, outboundMessageSchema.parse(content)));
  } catch (error) {
    const log = services.logger.child({ reqId: payload.requestId, messageId });
    if (error instanceof MediaGone) {
      await inTenant((tx) => failMessage(tx, messageId, { message: error.message }));
      return;
    }
    if (error instanceof GraphApiError && !error.retryable) {
      log.warn({ code: error.code, kind: error.kind }, 'Meta refused the message; marked failed');
      await inTenant(async (tx) => {
        await failMessage(tx, messageId, {
          code: error.code,
          subcode: error.subcode,
          message: error.message,
          kind: error.kind,
        });
        if (error.kind === 'auth') {
          await tx.query(
            sql.unsafe`update app_public.channels set status = 'needs_reauth', last_test_error = ${error.message} where id = ${pending.channelId}`,
          );
        }
      });
      return;
    }
    log.warn({ err: error }, 'sending failed; will retry');
    // Still pending, but the agent sees why it has not gone yet (the last reason, until it is sent or
    // fails). Meta answered (or the call ended), so the claim is released for the retry.
    await inTenant((tx) =>
      tx.query(sql.unsafe`
        update app_public.messages set error = ${sql.jsonb(retryReason(error))}, send_claimed_until = null
        where id = ${messageId} and status = 'pending' and wamid is null
      `),
    );
    throw error;
  }
  // Meta has the message now: if the database is unreachable, keep trying while the claim holds, since
  // a later attempt that finds no wamid would send it again.
  for (;;) {
    try {
      await inTenant((tx) => recordSent(tx, messageId, wamid));
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() > claimEnds - 2_000) {
        services.logger.error(
          { err: error, messageId, wamid },
          'Meta accepted the message but its wamid could not be recorded; a retry may send it again',
        );
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** Why a send is being retried, in words an agent can act on. */
function retryReason(error: unknown) {
  if (error instanceof GraphApiError) {
    return { retrying: true, kind: error.kind, code: error.code, message: `Meta answered: ${error.message}` };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { retrying: true, kind: 'network', message: `Meta could not be reached (${detail}).` };
}

/**
 * message.send.dead: the send kept failing with retryable errors until its retries ran out. The
 * message must not stay "pending" forever: it fails, saying so, and the agent can send it again.
 */
export async function failUnsentMessage(
  services: AppServices,
  payload: z.infer<typeof messageSendPayload>,
): Promise<void> {
  await withTenant(services.pools.app, payload.tenantId, (tx) =>
    tx.query(sql.unsafe`
      update app_public.messages
      set status = 'failed',
          error = jsonb_strip_nulls(jsonb_build_object(
            'kind', 'transient',
            'message', 'Not sent: Meta or the network kept failing after repeated attempts. Send it again.',
            'code', error->'code',
            'detail', error->>'message'))
      where id = ${payload.messageId} and status = 'pending' and wamid is null
    `),
  );
}
