import { sql } from 'slonik';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { withTenant } from '../../db/tx.ts';
import { GraphApiError } from '../../whatsapp/errors.ts';
import { channelGraph, readSecrets } from './service.ts';

/** message.read: one conversation whose customer messages should show as read on the customer's phone. */
export const readReceiptPayload = z.object({
  tenantId: z.uuid(),
  conversationId: z.uuid(),
  /** Also show "typing…" to the customer (Meta's typing indicator, cleared by the reply or after 25 s). */
  typing: z.boolean().optional(),
  /** An agent asked for it: sent even when the channel does not send read receipts on its own. */
  explicit: z.boolean().optional(),
});

/**
 * Queues a read receipt when an agent opens a conversation with unread messages. A job, so opening a
 * conversation never waits on Meta; one pending job per conversation is enough.
 */
export async function queueReadReceipt(services: AppServices, tenantId: string, conversationId: string) {
  await services.boss.send('message.read', { tenantId, conversationId }, { singletonKey: conversationId });
}

const latestInbound = z.object({
  wamid: z.string(),
  phoneNumberId: z.string(),
  channelId: z.string(),
  graphApiBaseUrl: z.string().nullable(),
  graphApiVersion: z.string(),
});

/**
 * Marks the conversation's latest customer message read (Meta marks the earlier ones with it), if the
 * channel sends read receipts. Meta refusing it is logged, not retried: a late receipt is worth little.
 */
export async function sendReadReceipt(services: AppServices, payload: z.infer<typeof readReceiptPayload>) {
  const { tenantId, conversationId, typing = false, explicit = false } = payload;
  const target = await withTenant(services.pools.app, tenantId, (tx) =>
    tx.maybeOne(sql.type(latestInbound)`
      select m.wamid, p.phone_number_id as "phoneNumberId", c.id as "channelId",
             c.graph_api_base_url as "graphApiBaseUrl", c.graph_api_version as "graphApiVersion"
      from app_public.messages m
      join app_public.conversations v on v.id = m.conversation_id
      join app_public.phone_numbers p on p.id = v.phone_number_id
      join app_public.channels c on c.id = p.channel_id
      where m.conversation_id = ${conversationId} and m.direction = 'inbound' and m.wamid is not null
        and (c.send_read_receipts or ${explicit}) and c.status = 'active'
      order by m.occurred_at desc, m.id desc
      limit 1
    `),
  );
  if (!target) return;
  const { accessToken } = await withTenant(services.pools.app, tenantId, (tx) =>
    readSecrets(tx, services, target.channelId),
  );
  const graph = channelGraph(
    services,
    { graphApiBaseUrl: target.graphApiBaseUrl, graphApiVersion: target.graphApiVersion },
    accessToken,
  );
  try {
    await graph.markRead(target.phoneNumberId, target.wamid, { typingIndicator: typing });
  } catch (error) {
    if (error instanceof GraphApiError && !error.retryable) {
      services.logger.warn({ code: error.code, conversationId }, 'Meta refused a read receipt');
      return;
    }
    throw error;
  }
}
