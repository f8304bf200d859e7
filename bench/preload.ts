// Growth figures (issue 17 item 4): fills a database with `count` synthetic webhook deliveries (~1.2 KB
// bodies, processed) and their completed webhook.process jobs before a benchmark measures, so ingest
// can be compared at 10k, 1M and 10M stored rows. Set-based (generate_series), in chunks of 200k.
import { sql, type DatabasePool } from 'slonik';
import { runWebhookRetention } from '../server/domains/webhooks/processing/retention.ts';

const chunk = 200_000;

/** Inserts the rows, then VACUUM ANALYZE (the steady state autovacuum would reach); returns seconds taken. */
export async function preloadDeliveries(owner: DatabasePool, appKey: string, count: number): Promise<number> {
  const started = performance.now();
  await runWebhookRetention(owner, 30); // today's partition, where the preloaded ids fall
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    await owner.query(sql.unsafe`
      insert into app_private.webhook_deliveries (id, app_key, body, status, processed_at)
      select app_public.uuid_generate_v7(), ${appKey},
             convert_to(rpad('{"object":"whatsapp_business_account","entry":[' || g, 1200, 'x') || ']}', 'UTF8'),
             'processed', now()
      from generate_series(1, ${n}) g`);
    await owner.query(sql.unsafe`
      insert into pgboss.job (name, data, state, singleton_key, completed_on, started_on)
      select 'webhook.process', jsonb_build_object('deliveryId', gen_random_uuid()), 'completed',
             gen_random_uuid()::text, now(), now()
      from generate_series(1, ${n})`);
  }
  await owner.query(sql.unsafe`vacuum analyze app_private.webhook_deliveries`);
  await owner.query(sql.unsafe`vacuum analyze pgboss.job`);
  return (performance.now() - started) / 1000;
}
