import pg from 'pg';
import { sql, type DatabasePool } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../../../db/tx.ts';
import { postWebhook, processed, webhookFixture, setupWebhookTestbed } from '../../../test/channels.ts';
import { signWebhookBody, verifyWebhookSignature } from '../../../whatsapp/signature.ts';
import { DeliveryWriter } from './delivery-writer.ts';
import { LruCache } from './lru.ts';
import { WebhookSecretCache } from './secrets.ts';

// Issue 14: one bad delivery never fails the others (item 2); unauthenticated requests cannot grow
// memory or cost queries (item 4); an over-long app key is a 4xx (item 7).

const parley = setupWebhookTestbed({ second: true });

const textFor = (
  waba: string,
  number: string,
  wamid: string,
  body = 'Hi! Is the blue jacket still in stock?',
) =>
  webhookFixture('text.json')
    .toString()
    .replaceAll('310000000000001', waba)
    .replaceAll('420000000000001', number)
    .replace('000000000001AA==', wamid)
    .replace('Hi! Is the blue jacket still in stock?', body);

const storedBody = (id: string) =>
  parley.db.pools.owner.one(sql.type(z.object({ body: z.instanceof(Buffer), status: z.string() }))`
    select body, status from app_private.webhook_deliveries where id = ${id}
  `);

const lastDelivery = () =>
  parley.db.pools.owner.oneFirst(sql.type(z.object({ id: z.string() }))`
    select id from app_private.webhook_deliveries order by id desc limit 1
  `);

describe('bodies the database cannot take as text', () => {
  it('answers every other workspace’s webhooks while one workspace sends NUL bytes', async () => {
    const nul = Array.from({ length: 40 }, (_, i) =>
      Buffer.from(
        textFor('310000000000001', '420000000000001', `NUL${String(i).padStart(9, '0')}==`, 'a\u0000b'),
      ),
    );
    const normal = Array.from({ length: 400 }, (_, i) =>
      textFor('310000000000002', '420000000000002', `OK${String(i).padStart(10, '0')}==`),
    );
    const posts = [
      ...normal.slice(0, 200).map((body) => postWebhook(parley.app, parley.second.channel, body)),
      ...nul.map((body) => postWebhook(parley.app, parley.channel, body)),
      ...normal.slice(200).map((body) => postWebhook(parley.app, parley.second.channel, body)),
    ];
    const statuses = (await Promise.all(posts)).map((response) => response.statusCode);
    expect(statuses.filter((code) => code !== 200)).toEqual([]);
    await processed(parley.app);
    const stored = await withTenant(parley.app.services.pools.app, parley.second.tenantId, (tx) =>
      tx.oneFirst(sql.type(z.object({ n: z.number() }))`
        select count(*)::int as n from app_public.messages where wamid like '%OK%'
      `),
    );
    expect(stored).toBe(400);
    // The NUL bodies are kept, byte-exact, as invalid JSON (a raw NUL may not appear in a JSON string).
    const nulStored = await parley.db.pools.owner.anyFirst(sql.type(z.object({ s: z.string() }))`
      select status as s from app_private.webhook_deliveries where position('\\x00'::bytea in body) > 0
    `);
    expect(nulStored).toEqual(Array.from({ length: 40 }, () => 'invalid_json'));
  });

  it('keeps a body with invalid UTF-8 exactly as received, still matching its signature', async () => {
    const body = Buffer.concat([
      Buffer.from('{"object": "whatsapp_business_account", "entry": [], "note": "'),
      Buffer.from([0xff, 0xfe, 0x00, 0xc3]),
      Buffer.from('"}'),
    ]);
    const signature = signWebhookBody(parley.channel.appSecret, body);
    const response = await postWebhook(parley.app, parley.channel, body, signature);
    expect(response.statusCode).toBe(200);
    const stored = await storedBody(await lastDelivery());
    expect(stored.status).toBe('invalid_json');
    expect(stored.body.equals(body)).toBe(true);
    expect(verifyWebhookSignature(parley.channel.appSecret, stored.body, signature)).toBe(true);
  });

  it('processes an escaped \\u0000 in a message, which PostgreSQL text cannot hold', async () => {
    const body = textFor('310000000000002', '420000000000002', 'ESCNUL000001==', 'before\\u0000after');
    expect((await postWebhook(parley.app, parley.second.channel, body)).statusCode).toBe(200);
    await processed(parley.app);
    const text = await withTenant(parley.app.services.pools.app, parley.second.tenantId, (tx) =>
      tx.oneFirst(sql.type(z.object({ b: z.string().nullable() }))`
        select body as b from app_public.messages where wamid like '%ESCNUL%'
      `),
    );
    expect(text).toBe('before\uFFFDafter');
  });

  it('processes escaped unpaired surrogates at once (a retry could never store them), pairs kept', async () => {
    const body = textFor(
      '310000000000002',
      '420000000000002',
      'ESCSUR000001==',
      'lone \\ud800 high, lone \\udfff low, pair \\ud83d\\ude00',
    );
    expect((await postWebhook(parley.app, parley.second.channel, body)).statusCode).toBe(200);
    await processed(parley.app);
    const text = await withTenant(parley.app.services.pools.app, parley.second.tenantId, (tx) =>
      tx.oneFirst(sql.type(z.object({ b: z.string().nullable() }))`
        select body as b from app_public.messages where wamid like '%ESCSUR%'
      `),
    );
    expect(text).toBe('lone \uFFFD high, lone \uFFFD low, pair \u{1F600}');
  });
});

describe('group commit', () => {
  it('retries a failed batch item by item, so a delivery the database refuses fails alone', async () => {
    await parley.db.pools.owner.query(sql.unsafe`
      create function app_private.tg_test__refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.app_key = 'poisonpoisonpoisonpoison' then raise exception 'refused for the test'; end if;
        return new;
      end $$
    `);
    await parley.db.pools.owner.query(sql.unsafe`
      create trigger _test_refuse_poison before insert on app_private.webhook_deliveries
        for each row execute function app_private.tg_test__refuse_poison()
    `);
    const pool = new pg.Pool({ connectionString: parley.db.url, max: 3 });
    try {
      const writer = new DeliveryWriter(pool, parley.app.services.boss);
      const body = Buffer.from('{"object": "whatsapp_business_account", "entry": []}');
      const items = Array.from({ length: 60 }, (_, i) => ({
        appKey: i % 6 === 5 ? 'poisonpoisonpoisonpoison' : parley.second.channel.appKey,
        body,
        parsed: true,
      }));
      const results = await Promise.allSettled(items.map((item) => writer.store(item)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(10);
      results.forEach((result, i) =>
        expect(result.status, `item ${i}`).toBe(i % 6 === 5 ? 'rejected' : 'fulfilled'),
      );
    } finally {
      await pool.end();
      await parley.db.pools.owner.query(
        sql.unsafe`drop trigger _test_refuse_poison on app_private.webhook_deliveries`,
      );
      await parley.db.pools.owner.query(sql.unsafe`drop function app_private.tg_test__refuse_poison()`);
    }
  });
});

describe('app keys from strangers', () => {
  it('answers an over-long or malformed app key like an unknown one, never with a 500', async () => {
    for (const appKey of ['k'.repeat(70), 'K'.repeat(32), 'x'.repeat(400), '..%2F..']) {
      const get = await parley.app.inject({
        method: 'GET',
        url: `/webhooks/whatsapp/${appKey}?hub.mode=subscribe&hub.verify_token=t&hub.challenge=1`,
      });
      expect(get.statusCode, appKey).toBe(403);
      const post = await postWebhook(parley.app, { appKey, appSecret: 'any' }, '{}');
      expect(post.statusCode, appKey).toBe(401);
    }
  });

  it('keeps the secret cache bounded, and asks the database nothing for keys Parley cannot have issued', async () => {
    let queries = 0;
    const pool = parley.app.services.pools.app;
    const counting = new Proxy(pool, {
      get(target, property, receiver) {
        if (property === 'maybeOne') {
          return (...args: Parameters<DatabasePool['maybeOne']>) => {
            queries++;
            return target.maybeOne(...args);
          };
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const cache = new WebhookSecretCache(counting, parley.app.services.keyring, 30_000, 100);
    for (let i = 0; i < 1000; i++)
      expect(await cache.get(`unknown${String(i).padStart(20, '0')}`)).toBeNull();
    expect(cache.size).toBeLessThanOrEqual(100);
    expect(queries).toBe(1000);
    for (const appKey of [
      'k'.repeat(70),
      'short',
      'UPPERCASEUPPERCASEUPPERCASE',
      'with space in it and more',
    ]) {
      expect(await cache.get(appKey)).toBeNull();
    }
    expect(queries).toBe(1000);
    expect((await cache.get(parley.channel.appKey))?.channelId).toBe(parley.channel.channelId);
  });

  it('evicts the least recently used entry once full, and forgets expired ones', async () => {
    const cache = new LruCache<number>(3);
    cache.set('a', 1, 60_000);
    cache.set('b', 2, 60_000);
    cache.set('c', 3, 60_000);
    expect(cache.get('a')?.value).toBe(1); // a is now the most recently used
    cache.set('d', 4, 60_000);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.value).toBe(1);
    cache.set('e', 5, -1);
    expect(cache.get('e')).toBeUndefined();
  });
});
