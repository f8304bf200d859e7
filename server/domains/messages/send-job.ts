import { sql } from 'slonik';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { withTenant } from '../../db/tx.ts';
import { isDatabaseUnavailable } from '../../db/unavailable.ts';
import { GraphApiError } from '../../whatsapp/errors.ts';
import { outboundMessageSchema } from '../../whatsapp/message-payloads.ts';
import { channelGraph, readSecrets } from '../channels/service.ts';

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

const pendingRow = z.object({
  content: z.unknown(),
  phone_number_id: z.string(),
  channel_id: z.string(),
  graph_api_version: z.string(),
  graph_api_base_url: z.string().nullable(),
  channel_status: z.string(),
});

/**
 * The message.send job: sends one pending outbound message through the Graph API and records Meta's
 * wamid (statuses then arrive by webhook). Errors Meta marks retryable (throttling, transient) throw,
 * so pg-boss retries with backoff; the others fail the message with Meta's error, never retried.
 */
export async function sendPendingMessage(
  services: AppServices,
  payload: z.infer<typeof messageSendPayload>,
): Promise<void> {
  const { tenantId, messageId } = payload;
  const pending = await withTenant(services.pools.app, tenantId, (tx) =>
    tx.maybeOne(sql.type(pendingRow)`
      select m.content, p.phone_number_id, c.id as channel_id, c.graph_api_version, c.graph_api_base_url, c.status as channel_status
      from app_public.messages m
      join app_public.conversations v on v.id = m.conversation_id
      join app_public.phone_numbers p on p.id = v.phone_number_id
      join app_public.channels c on c.id = p.channel_id
      where m.id = ${messageId} and m.status = 'pending' and m.wamid is null
    `),
  );
  if (!pending) return; // already sent, failed or deleted: a retry or duplicate job has nothing to do
  const fail = (error: object) =>
    withTenant(services.pools.app, tenantId, (tx) =>
      tx.query(
        sql.unsafe`update app_public.messages set status = 'failed', error = ${sql.jsonb(error as never)} where id = ${messageId}`,
      ),
    );
  if (pending.channel_status === 'disabled') {
    await fail({ message: 'The channel is disabled.' });
    return;
  }
  // Right before talking to Meta: only one attempt at a time may send this message.
  const claimed = await withTenant(services.pools.app, tenantId, (tx) =>
    tx.maybeOneFirst(sql.type(z.object({ id: z.string() }))`
      update app_public.messages
      set send_claimed_until = now() + make_interval(secs => ${sendClaimSeconds})
      where id = ${messageId} and status = 'pending' and wamid is null
        and (send_claimed_until is null or send_claimed_until < now())
      returning id
    `),
  );
  if (!claimed) throw new SendInProgress('Another attempt is sending this message; retrying later.');
  const { accessToken } = await withTenant(services.pools.app, tenantId, (tx) =>
    readSecrets(tx, services, pending.channel_id),
  );
  const graph = channelGraph(
    services,
    { graphApiBaseUrl: pending.graph_api_base_url, graphApiVersion: pending.graph_api_version },
    accessToken,
  );
  const claimedAt = Date.now();
  let sent: { wamid: string };
  try {
    sent = await graph.sendMessage(pending.phone_number_id, outboundMessageSchema.parse(pending.content));
  } catch (error) {
    const log = services.logger.child({ reqId: payload.requestId, messageId });
    if (error instanceof GraphApiError && !error.retryable) {
      log.warn({ code: error.code, kind: error.kind }, 'Meta refused the message; marked failed');
      await fail({ code: error.code, subcode: error.subcode, message: error.message, kind: error.kind });
      if (error.kind === 'auth') {
        await withTenant(services.pools.app, tenantId, (tx) =>
          tx.query(
            sql.unsafe`update app_public.channels set status = 'needs_reauth', last_test_error = ${error.message} where id = ${pending.channel_id}`,
          ),
        );
      }
      return;
    }
    log.warn({ err: error }, 'sending failed; will retry');
    // Still pending, but the agent sees why it has not gone yet (the last reason, until it is sent or
    // fails). Meta answered (or the call ended), so the claim is released for the retry.
    await withTenant(services.pools.app, tenantId, (tx) =>
      tx.query(sql.unsafe`
        update app_public.messages set error = ${sql.jsonb(retryReason(error))}, send_claimed_until = null
        where id = ${messageId} and status = 'pending' and wamid is null
      `),
    );
    throw error;
  }
  await recordWamid(services, tenantId, messageId, sent.wamid, claimedAt + sendClaimSeconds * 1000);
}

/**
 * Records the wamid Meta gave. Meta has the message now: if the database is unreachable, keep trying
 * while the claim holds, since a later attempt that finds no wamid would send it again.
 */
async function recordWamid(
  services: AppServices,
  tenantId: string,
  messageId: string,
  wamid: string,
  claimEnds: number,
): Promise<void> {
  for (;;) {
    try {
      await withTenant(services.pools.app, tenantId, async (tx) => {
        await tx.query(
          sql.unsafe`update app_public.messages set wamid = ${wamid}, send_claimed_until = null where id = ${messageId}`,
        );
        // Statuses that raced ahead of this update are waiting in message_statuses.
        await tx.query(sql.unsafe`
          update app_public.messages m set status = best.status
          from (select status from app_public.message_statuses where wamid = ${wamid}
                order by app_public.message_status_rank(status) desc limit 1) best
          where m.id = ${messageId} and app_public.message_status_rank(best.status) > app_public.message_status_rank(m.status)
        `);
      });
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
