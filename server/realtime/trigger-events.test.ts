import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../db/tx.ts';
import { postWebhook, processed, setupWebhookTestbed, webhookFixture } from '../test/channels.ts';

/**
 * What the realtime triggers (sql/triggers/realtime.sql → app_private.tg_realtime__record) record for
 * each table: the kind, the rows' entities and their conversations, one event per statement and tenant.
 */
const parley = setupWebhookTestbed();
const outboundWamid = 'wamid.HBgLMTU1NTAxMjM0NTYVAgARGBJPVVRCT1VORDAwMDAwMDAxAA==';

const eventsSince = (after: number) =>
  parley.db.pools.owner.any(
    sql.type(
      z.object({
        id: z.number(),
        kind: z.string(),
        entityIds: z.array(z.string()),
        conversationIds: z.array(z.string()),
      }),
    )`
      select id, kind, entity_ids as "entityIds", conversation_ids as "conversationIds"
      from app_private.realtime_events where tenant_id = ${parley.tenantId} and id > ${after} order by id`,
  );

describe('realtime events from the triggers', () => {
  it('a new conversation and message, a status and a reaction each name their message and conversation', async () => {
    expect((await postWebhook(parley.app, parley.channel, webhookFixture('text.json'))).statusCode).toBe(200);
    await processed(parley.app);
    const created = await eventsSince(0);
    const conversation = created.find((e) => e.kind === 'conversation.created');
    const message = created.find((e) => e.kind === 'message.created');
    expect(conversation?.entityIds).toEqual(conversation?.conversationIds);
    expect(message?.conversationIds).toEqual(conversation?.conversationIds);

    // An agent's reply Meta accepted, which the status and the reaction below are about.
    const conversationId = conversation?.conversationIds[0] ?? '';
    const replyId = await withTenant(parley.db.pools.app, parley.tenantId, (tx) =>
      tx.oneFirst(sql.type(z.object({ id: z.string() }))`
        insert into app_public.messages (tenant_id, conversation_id, direction, type, body, content, wamid, status, occurred_at)
        values (${parley.tenantId}, ${conversationId}, 'outbound', 'text', 'Yes, in blue.', '{}', ${outboundWamid}, 'sent', now())
        returning id`),
    );
    const last = created.at(-1)?.id ?? 0;
    for (const name of ['status-sent.json', 'reaction.json']) {
      expect((await postWebhook(parley.app, parley.channel, webhookFixture(name))).statusCode).toBe(200);
      await processed(parley.app);
    }
    const later = await eventsSince(last);
    for (const kind of ['message.status', 'message.reaction']) {
      expect(later.find((e) => e.kind === kind)).toMatchObject({
        entityIds: [replyId],
        conversationIds: [conversationId],
      });
    }
  });
});
