import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../../db/tx.ts';
import { createTenant } from '../../test/factories.ts';
import { setupTestDatabase } from '../../test/db.ts';
import { newAppKey } from '../channels/service.ts';
import { recordSent } from './send-job.ts';

const db = setupTestDatabase();
const id = z.object({ id: z.string() });

/** A pending reply in a fresh workspace, as message.send finds it before Meta answers. */
async function pendingReply(tenantId: string) {
  return withTenant(db.pools.app, tenantId, async (tx) => {
    const channelId = await tx.oneFirst(sql.type(id)`
      insert into app_public.channels (tenant_id, name, meta_app_id, waba_id, app_key, graph_api_version)
      values (${tenantId}, 'Shop', '900000000000001', '310000000000009', ${newAppKey()}, 'v25.0') returning id
    `);
    const numberId = await tx.oneFirst(sql.type(id)`
      insert into app_public.phone_numbers (tenant_id, channel_id, phone_number_id, display_phone_number, verified_name)
      values (${tenantId}, ${channelId}, '420000000000009', '15550109999', 'Shop') returning id
    `);
    const contactId = await tx.oneFirst(
      sql.type(id)`select app_public.upsert_contact('15550123456', null, 'Ada', null) as id`,
    );
    const conversationId = await tx.oneFirst(
      sql.type(id)`select app_public.upsert_conversation(${numberId}, ${contactId}) as id`,
    );
    return tx.oneFirst(sql.type(id)`
      insert into app_public.messages (tenant_id, conversation_id, direction, type, body, content, status, occurred_at)
      values (${tenantId}, ${conversationId}, 'outbound', 'text', 'Hi', '{}', 'pending', now()) returning id
    `);
  });
}

describe('message.send recording what Meta answered', () => {
  it("keeps a failure's error when the failed status arrived before the wamid was recorded", async () => {
    const tenant = await createTenant(db.pools.owner);
    const messageId = await pendingReply(tenant.id);
    const wamid = 'wamid.raced-ahead';
    const errors = [{ code: 131026, title: 'Message undeliverable' }];
    await withTenant(db.pools.app, tenant.id, async (tx) => {
      await tx.query(sql.unsafe`
        select app_public.record_message_status(${wamid}, 'failed', now(), '15550123456', null, null, null, ${sql.jsonb(errors)})
      `);
      await recordSent(tx, messageId, wamid);
    });
    const message = await withTenant(db.pools.app, tenant.id, (tx) =>
      tx.one(sql.type(z.object({ status: z.string(), error: z.unknown() }))`
        select status, error from app_public.messages where id = ${messageId}
      `),
    );
    expect(message).toEqual({ status: 'failed', error: errors });
  });
});
