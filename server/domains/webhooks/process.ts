import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { withTenant } from '../../db/tx.ts';
import type { Logger } from '../../logger.ts';
import {
  handleAccountUpdate,
  handlePhoneQualityChange,
  handleTemplateChange,
  type RoutedAccount,
} from './handle-account.ts';
import { handleMessagesChange, type RoutedNumber } from './handle-messages.ts';
import { messagesValueSchema, webhookBodySchema } from './payload.ts';

const deliveryRow = z.object({
  id: z.string(),
  app_key: z.string(),
  body: z.string(),
  status: z.string(),
  received_at: z.string(),
});
const numberRow = z.object({ tenant_id: z.string(), phone_number_uuid: z.string(), channel_id: z.string() });
const accountRow = z.object({ tenant_id: z.string(), channel_id: z.string() });

const templateFields = new Set([
  'message_template_status_update',
  'message_template_quality_update',
  'template_category_update',
]);

interface Change {
  index: number;
  wabaId: string;
  field: string;
  value: Record<string, unknown>;
}

/** A problem no retry can fix (the body is not a WhatsApp webhook): recorded, not retried. */
class PermanentWebhookError extends Error {}

async function routeNumber(pool: DatabasePool, phoneNumberId: string): Promise<RoutedNumber | null> {
  const row = await pool.maybeOne(
    sql.type(numberRow)`select * from app_public.route_phone_number(${phoneNumberId})`,
  );
  return row ? { tenantId: row.tenant_id, phoneNumberUuid: row.phone_number_uuid } : null;
}

async function routeAccount(pool: DatabasePool, wabaId: string): Promise<RoutedAccount | null> {
  const row = await pool.maybeOne(sql.type(accountRow)`select * from app_public.route_waba(${wabaId})`);
  return row ? { tenantId: row.tenant_id, channelId: row.channel_id } : null;
}

/** Applies one change for its tenant and records it in the tenant's webhook log, in one transaction. */
async function processChange(
  pool: DatabasePool,
  deliveryId: string,
  change: Change,
): Promise<'routed' | 'unrouted'> {
  const phoneNumberId =
    change.field === 'messages' || change.field === 'smb_message_echoes'
      ? z.object({ metadata: z.object({ phone_number_id: z.string() }) }).safeParse(change.value).data
          ?.metadata.phone_number_id
      : undefined;
  const number = phoneNumberId ? await routeNumber(pool, phoneNumberId) : null;
  const account = number ? null : await routeAccount(pool, change.wabaId);
  const tenantId = number?.tenantId ?? account?.tenantId;
  if (!tenantId || (phoneNumberId && !number)) {
    await pool.query(sql.unsafe`
      select app_public.record_unrouted_webhook_event(
        ${deliveryId}, ${change.index}, ${change.field}, ${phoneNumberId ?? null}, ${change.wabaId}, ${sql.jsonb(change.value as never)}
      )
    `);
    return 'unrouted';
  }
  await withTenant(pool, tenantId, async (tx) => {
    let summary: string;
    if (number)
      summary =
        (await handleMessagesChange(tx, number, messagesValueSchema.parse(change.value))).join('; ') ||
        'no messages';
    else if (account && templateFields.has(change.field))
      summary = await handleTemplateChange(tx, account, change.field, change.value);
    else if (account && change.field === 'phone_number_quality_update')
      summary = await handlePhoneQualityChange(tx, account, change.value);
    else if (account && change.field === 'account_update')
      summary = await handleAccountUpdate(tx, account, change.value);
    else summary = `${change.field} recorded`;
    await tx.query(sql.unsafe`
      insert into app_public.webhook_events (tenant_id, delivery_id, change_index, field, summary, payload)
      values (${tenantId}, ${deliveryId}, ${change.index}, ${change.field}, ${summary.slice(0, 1000)}, ${sql.jsonb(change.value as never)})
      on conflict (tenant_id, delivery_id, change_index) do update
        set summary = excluded.summary, payload = excluded.payload, status = 'processed', error = null
    `);
  });
  return 'routed';
}

async function recordFailedChange(
  pool: DatabasePool,
  deliveryId: string,
  change: Change,
  error: unknown,
): Promise<void> {
  const account = await routeAccount(pool, change.wabaId).catch(() => null);
  if (!account) return;
  const message = error instanceof Error ? error.message : String(error);
  await withTenant(pool, account.tenantId, (tx) =>
    tx.query(sql.unsafe`
      insert into app_public.webhook_events (tenant_id, delivery_id, change_index, field, summary, payload, status, error)
      values (${account.tenantId}, ${deliveryId}, ${change.index}, ${change.field}, 'failed to process', ${sql.jsonb(change.value as never)}, 'failed', ${message.slice(0, 1000)})
      on conflict (tenant_id, delivery_id, change_index) do update set status = 'failed', error = excluded.error
    `),
  ).catch(() => undefined);
}

/**
 * The webhook.process job: turns one stored delivery into rows. Idempotent — every write is keyed by
 * wamid, (wamid, status) or (delivery, change) — so retries and replays change nothing twice. A change
 * that fails is marked in the tenant's log and the job throws, so pg-boss retries it with backoff and
 * finally dead-letters it.
 */
export async function processDelivery(pool: DatabasePool, logger: Logger, deliveryId: string): Promise<void> {
  const delivery = await pool.maybeOne(
    sql.type(deliveryRow)`select * from app_public.webhook_delivery(${deliveryId})`,
  );
  if (!delivery || delivery.status === 'invalid_json') return; // gone, or nothing to process
  const finish = (error: string | null) =>
    pool.query(sql.unsafe`select app_public.finish_webhook_delivery(${deliveryId}, ${error})`);

  let changes: Change[];
  try {
    const parsed = webhookBodySchema.safeParse(JSON.parse(delivery.body));
    if (!parsed.success)
      throw new PermanentWebhookError(
        `Not a WhatsApp Business Account webhook: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`,
      );
    let index = 0;
    changes = parsed.data.entry.flatMap((entry) =>
      entry.changes.map((change) => ({ index: index++, wabaId: entry.id, ...change })),
    );
  } catch (error) {
    await finish(error instanceof Error ? error.message : String(error));
    logger.warn({ deliveryId, err: error }, 'webhook delivery cannot be processed');
    return;
  }

  const failures: string[] = [];
  for (const change of changes) {
    try {
      await processChange(pool, deliveryId, change);
    } catch (error) {
      failures.push(
        `change ${change.index} (${change.field}): ${error instanceof Error ? error.message : String(error)}`,
      );
      await recordFailedChange(pool, deliveryId, change, error);
    }
  }
  await finish(failures.length ? failures.join('; ').slice(0, 2000) : null);
  if (failures.length) throw new Error(`webhook delivery ${deliveryId} failed: ${failures.join('; ')}`);
}
