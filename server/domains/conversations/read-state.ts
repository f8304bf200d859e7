import { TRPCError } from '@trpc/server';
import { sql } from 'slonik';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import type { InTransaction } from '../../db/tx.ts';
import { queueReadReceipt } from '../channels/read-receipts.ts';

const markedRow = z.object({ found: z.boolean(), moved: z.boolean(), receipt: z.boolean() });

/**
 * Records that `userId` has read the conversation through the message `throughMessageId` (the newest
 * one they were shown; absent: everything now). The position is the conversation's inbound_seq minus
 * the customer's messages after that one, read in one snapshot with inbound_seq (messages and the
 * counter commit together), so a message arriving while the agent opens the conversation stays
 * unread. It only moves forward (greatest), so two tabs or a late request never move it back.
 * `receipt`: the read covers customer messages nobody had read and nobody has answered yet — the
 * moment to tell the customer's phone (the read receipt Parley sent before read state was per member).
 */
const markReadThrough = (conversationId: string, userId: string | null, throughMessageId: string | null) =>
  sql.type(markedRow)`
    with c as (
      select c.id, c.inbound_seq, c.unread_count from app_public.conversations c where c.id = ${conversationId}
    ), through as (
      select m.occurred_at, m.id from app_public.messages m
      where m.id = ${throughMessageId}::uuid and m.conversation_id = ${conversationId}
    ), seen as (
      select c.id, c.unread_count, c.inbound_seq - case when ${throughMessageId}::uuid is null then 0 else (
        select count(*) from app_public.messages m, through t
        where m.conversation_id = c.id and m.direction = 'inbound' and (m.occurred_at, m.id) > (t.occurred_at, t.id)
      ) end as seq
      from c
    ), before as (
      select coalesce(max(r.read_seq), 0) as anyone from app_public.conversation_reads r
      where r.conversation_id = ${conversationId}
    ), marked as (
      insert into app_public.conversation_reads as r (tenant_id, conversation_id, user_id, read_seq)
      select app_public.current_tenant_id(), s.id, ${userId}::uuid, s.seq from seen s where ${userId}::uuid is not null
      on conflict (tenant_id, conversation_id, user_id)
        do update set read_seq = excluded.read_seq, read_at = now() where excluded.read_seq > r.read_seq
      returning 1
    )
    select exists (select 1 from c) as found, exists (select 1 from marked) as moved,
           coalesce((select s.unread_count > 0 and s.seq > b.anyone from seen s, before b), false) as receipt
  `;

/** Announces (ids only) that a member's read state moved, for their other tabs and devices. */
const announceRead = (conversationId: string, userId: string) =>
  sql.unsafe`select app_public.record_realtime_event('conversation.read', array[${userId}::uuid], array[${conversationId}::uuid])`;

/**
 * Someone opened the conversation: it is read for them (only), and when that covers customer
 * messages no one had read yet, a read receipt is queued for the customer's phone. An API key has
 * no read state of its own: it only asks for the receipt.
 */
export async function markRead(
  scope: {
    services: AppServices;
    tenantId: string;
    actor: { userId: string | null };
    withTenant: InTransaction;
  },
  conversationId: string,
  throughMessageId: string | null = null,
): Promise<void> {
  const userId = scope.actor.userId;
  const marked = await scope.withTenant(async (tx) => {
    const row = await tx.one(markReadThrough(conversationId, userId, throughMessageId));
    if (row.moved && userId) await tx.query(announceRead(conversationId, userId));
    return row;
  });
  if (!marked.found) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
  if (marked.receipt) await queueReadReceipt(scope.services, scope.tenantId, conversationId);
}
