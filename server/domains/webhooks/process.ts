import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { withTenant, type Tx } from '../../db/tx.ts';
import type { Logger } from '../../logger.ts';
import {
  handleAccountUpdate,
  handlePhoneQualityChange,
  handleTemplateChange,
  type RoutedAccount,
} from './handle-account.ts';
import { handleMessagesChange, type RoutedNumber } from './handle-messages.ts';
import { messagesValueSchema, webhookBodySchema } from './payload.ts';

const deliveryRow = z.object({ id: z.string(), body: z.string(), status: z.string() });
const numberRow = z.object({ tenant_id: z.string(), phone_number_uuid: z.string(), channel_id: z.string() });
const accountRow = z.object({ tenant_id: z.string(), channel_id: z.string() });

const templateFields = new Set([
  'message_template_status_update',
  'message_template_quality_update',
  'template_category_update',
]);

interface Change {
  deliveryId: string;
  index: number;
  wabaId: string;
  field: string;
  value: Record<string, unknown>;
}

interface Routed {
  tenantId: string;
  number: RoutedNumber | null;
  account: RoutedAccount | null;
}

/** phone_number_id / WABA → tenant, cached briefly: routing is asked once per change, answers rarely change. */
class RouteCache {
  private readonly entries = new Map<string, { value: unknown; expires: number }>();

  async get<T>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const cached = this.entries.get(key);
    if (cached && cached.expires > Date.now()) return cached.value as T | null;
    const value = await load();
    this.entries.set(key, { value, expires: Date.now() + (value ? 30_000 : 2_000) });
    return value;
  }
}
const routes = new RouteCache();

async function route(
  pool: DatabasePool,
  change: Change,
): Promise<{ routed: Routed | null; phoneNumberId: string | undefined }> {
  const phoneNumberId =
    change.field === 'messages' || change.field === 'smb_message_echoes'
      ? z.object({ metadata: z.object({ phone_number_id: z.string() }) }).safeParse(change.value).data
          ?.metadata.phone_number_id
      : undefined;
  if (phoneNumberId) {
    const number = await routes.get(`number:${phoneNumberId}`, async () => {
      const row = await pool.maybeOne(
        sql.type(numberRow)`select * from app_public.route_phone_number(${phoneNumberId})`,
      );
      return row ? { tenantId: row.tenant_id, phoneNumberUuid: row.phone_number_uuid } : null;
    });
    return { routed: number ? { tenantId: number.tenantId, number, account: null } : null, phoneNumberId };
  }
  const account = await routes.get(`waba:${change.wabaId}`, async () => {
    const row = await pool.maybeOne(
      sql.type(accountRow)`select * from app_public.route_waba(${change.wabaId})`,
    );
    return row ? { tenantId: row.tenant_id, channelId: row.channel_id } : null;
  });
  return { routed: account ? { tenantId: account.tenantId, number: null, account } : null, phoneNumberId };
}

async function applyChange(tx: Tx, routed: Routed, change: Change): Promise<string> {
  const { number, account } = routed;
  if (number)
    return (
      (await handleMessagesChange(tx, number, messagesValueSchema.parse(change.value))).join('; ') ||
      'no messages'
    );
  if (account && templateFields.has(change.field))
    return handleTemplateChange(tx, account, change.field, change.value);
  if (account && change.field === 'phone_number_quality_update')
    return handlePhoneQualityChange(tx, account, change.value);
  if (account && change.field === 'account_update') return handleAccountUpdate(tx, account, change.value);
  return `${change.field} recorded`;
}

async function logEvents(
  tx: Tx,
  tenantId: string,
  events: { change: Change; summary: string; error: string | null }[],
): Promise<void> {
  if (events.length === 0) return;
  await tx.query(sql.unsafe`
    insert into app_public.webhook_events (tenant_id, delivery_id, change_index, field, summary, payload, status, error)
    select ${tenantId}, e.delivery_id, e.change_index, e.field, e.summary, e.payload, e.status, e.error
    from jsonb_to_recordset(${sql.jsonb(
      events.map(({ change, summary, error }) => ({
        delivery_id: change.deliveryId,
        change_index: change.index,
        field: change.field,
        summary: summary.slice(0, 1000),
        payload: change.value,
        status: error ? 'failed' : 'processed',
        error: error?.slice(0, 1000) ?? null,
      })) as never,
    )}) as e(delivery_id uuid, change_index int, field text, summary text, payload jsonb, status text, error text)
    on conflict (tenant_id, delivery_id, change_index) do update
      set summary = excluded.summary, payload = excluded.payload, status = excluded.status, error = excluded.error
  `);
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The webhook.process jobs of a batch: turns stored deliveries into rows. All changes of one tenant
 * in the batch are applied in one transaction (few round trips, so throughput holds); if that fails,
 * its changes are retried one by one, so one bad change cannot hold the others back. Idempotent —
 * every write is keyed by wamid, (wamid, status) or (delivery, change) — so retries and replays
 * change nothing twice. Returns the deliveries whose job should fail (and be retried), with why.
 */
export async function processDeliveries(
  pool: DatabasePool,
  logger: Logger,
  deliveryIds: string[],
  /** The id of the request that received each delivery, so log lines can be followed end to end. */
  requestIds: Map<string, string | undefined> = new Map(),
): Promise<Map<string, string>> {
  const rows = await pool.any(
    sql.type(
      deliveryRow,
    )`select * from app_public.webhook_deliveries_batch(${sql.array(deliveryIds, 'uuid')})`,
  );
  const outcome = new Map<string, string[]>(); // delivery → problems recorded on it
  const changes: Change[] = [];
  for (const row of rows) {
    if (row.status === 'invalid_json') continue; // kept for the log; nothing to process
    outcome.set(row.id, []);
    try {
      const parsed = webhookBodySchema.safeParse(JSON.parse(row.body));
      if (!parsed.success)
        throw new Error(
          `Not a WhatsApp Business Account webhook: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`,
        );
      let index = 0;
      for (const entry of parsed.data.entry) {
        for (const change of entry.changes)
          changes.push({ deliveryId: row.id, index: index++, wabaId: entry.id, ...change });
      }
    } catch (error) {
      // No retry can fix a body that is not a WhatsApp webhook: recorded on the delivery, job completes.
      outcome.get(row.id)?.push(messageOf(error));
      logger.warn(
        { reqId: requestIds.get(row.id), deliveryId: row.id, err: error },
        'webhook delivery cannot be processed',
      );
    }
  }

  const byTenant = new Map<string, { routed: Routed; change: Change }[]>();
  for (const change of changes) {
    const { routed, phoneNumberId } = await route(pool, change);
    if (!routed || (phoneNumberId && !routed.number)) {
      await pool.query(sql.unsafe`
        select app_public.record_unrouted_webhook_event(
          ${change.deliveryId}, ${change.index}, ${change.field}, ${phoneNumberId ?? null}, ${change.wabaId}, ${sql.jsonb(change.value as never)}
        )
      `);
      continue;
    }
    const group = byTenant.get(routed.tenantId) ?? [];
    group.push({ routed, change });
    byTenant.set(routed.tenantId, group);
  }

  const retry = new Map<string, string>();
  for (const [tenantId, group] of byTenant) {
    try {
      await withTenant(pool, tenantId, async (tx) => {
        const events = [];
        for (const { routed, change } of group)
          events.push({ change, summary: await applyChange(tx, routed, change), error: null });
        await logEvents(tx, tenantId, events);
      });
    } catch {
      for (const { routed, change } of group) {
        try {
          await withTenant(pool, tenantId, async (tx) => {
            await logEvents(tx, tenantId, [
              { change, summary: await applyChange(tx, routed, change), error: null },
            ]);
          });
        } catch (error) {
          const problem = `change ${change.index} (${change.field}): ${messageOf(error)}`;
          logger.warn(
            { reqId: requestIds.get(change.deliveryId), deliveryId: change.deliveryId, err: error },
            'webhook change failed; will retry',
          );
          outcome.get(change.deliveryId)?.push(problem);
          retry.set(change.deliveryId, [retry.get(change.deliveryId), problem].filter(Boolean).join('; '));
          await withTenant(pool, tenantId, (tx) =>
            logEvents(tx, tenantId, [{ change, summary: 'failed to process', error: messageOf(error) }]),
          ).catch(() => undefined);
        }
      }
    }
  }

  const finished = [...outcome.keys()];
  if (finished.length > 0) {
    await pool.query(sql.unsafe`
      select app_public.finish_webhook_deliveries(
        ${sql.array(finished, 'uuid')},
        ${sql.array(finished.map((id) => outcome.get(id)?.join('; ').slice(0, 2000) || null) as string[], 'text')}
      )
    `);
  }
  return retry;
}
