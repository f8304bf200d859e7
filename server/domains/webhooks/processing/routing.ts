import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { RoutedAccount } from './handle-account.ts';
import type { RoutedNumber } from './handle-messages.ts';
import { LruCache } from '../ingest/lru.ts';

export interface Change {
  deliveryId: string;
  /** The app key whose secret verified the delivery: it decides where the change may go. */
  appKey: string;
  index: number;
  wabaId: string;
  field: string;
  value: Record<string, unknown>;
}

export interface Routed {
  tenantId: string;
  number: RoutedNumber | null;
  account: RoutedAccount | null;
}

type Target = { tenantId: string; channelId: string; phoneNumberUuid: string | null } | { unrouted: string };

const routeRow = z.object({
  appKey: z.string(),
  kind: z.enum(['number', 'waba']),
  ref: z.string(),
  tenantId: z.string().nullable(),
  channelId: z.string().nullable(),
  phoneNumberUuid: z.string().nullable(),
  unrouted: z.string().nullable(),
});

/**
 * (verifying app key, phone_number_id or WABA) → target, cached briefly and bounded: routing is asked
 * for every change, answers rarely change. Keyed on the app key too, since the same id routes for the
 * app that owns it and not for anyone else.
 */
const routes = new LruCache<Target>(50_000);

// Built once: building a zod schema per change cost more than routing itself (issue 17).
const addressedNumber = z.object({ metadata: z.object({ phone_number_id: z.string().max(64) }) });

const phoneNumberIdOf = (change: Change) =>
  change.field === 'messages' || change.field === 'smb_message_echoes'
    ? addressedNumber.safeParse(change.value).data?.metadata.phone_number_id
    : undefined;

/**
 * Where each change goes: messages by their metadata.phone_number_id, everything else by the entry's
 * WABA id, and only into channels that share the verifying channel's Meta app and secret. One query
 * for whatever the cache does not know.
 */
export async function routeChanges(
  pool: DatabasePool,
  changes: Change[],
): Promise<{
  routed: { routed: Routed; change: Change }[];
  unrouted: { change: Change; phoneNumberId: string | undefined; reason: string }[];
}> {
  const asks = changes.map((change) => {
    const phoneNumberId = phoneNumberIdOf(change);
    const kind = phoneNumberId ? ('number' as const) : ('waba' as const);
    const ref = phoneNumberId ?? change.wabaId;
    return { change, phoneNumberId, kind, ref, key: `${change.appKey}|${kind}:${ref}` };
  });
  const known = new Map<string, Target>();
  const missing = new Map<string, (typeof asks)[number]>();
  for (const ask of asks) {
    const cached = routes.get(ask.key);
    if (cached) known.set(ask.key, cached.value);
    else missing.set(ask.key, ask);
  }
  if (missing.size > 0) {
    const asked = [...missing.values()];
    const rows = await pool.any(sql.type(routeRow)`
      select app_key as "appKey", kind, ref, tenant_id as "tenantId", channel_id as "channelId",
             phone_number_uuid as "phoneNumberUuid", unrouted
      from app_public.webhook_routes(
        ${sql.array(
          asked.map((a) => a.change.appKey),
          'text',
        )},
        ${sql.array(
          asked.map((a) => a.kind),
          'text',
        )},
        ${sql.array(
          asked.map((a) => a.ref),
          'text',
        )}
      )
    `);
    for (const row of rows) {
      const target: Target =
        row.tenantId && row.channelId
          ? { tenantId: row.tenantId, channelId: row.channelId, phoneNumberUuid: row.phoneNumberUuid }
          : { unrouted: row.unrouted ?? 'unknown' };
      known.set(`${row.appKey}|${row.kind}:${row.ref}`, target);
      // Misses are remembered briefly, so a newly connected number is found quickly.
      routes.set(`${row.appKey}|${row.kind}:${row.ref}`, target, 'unrouted' in target ? 2_000 : 30_000);
    }
  }
  const result: Awaited<ReturnType<typeof routeChanges>> = { routed: [], unrouted: [] };
  for (const ask of asks) {
    const target = known.get(ask.key) ?? { unrouted: 'unknown' };
    if ('unrouted' in target) {
      result.unrouted.push({ change: ask.change, phoneNumberId: ask.phoneNumberId, reason: target.unrouted });
      continue;
    }
    const number =
      ask.kind === 'number' && target.phoneNumberUuid
        ? { tenantId: target.tenantId, phoneNumberUuid: target.phoneNumberUuid }
        : null;
    const account = ask.kind === 'waba' ? { tenantId: target.tenantId, channelId: target.channelId } : null;
    result.routed.push({ change: ask.change, routed: { tenantId: target.tenantId, number, account } });
  }
  return result;
}
