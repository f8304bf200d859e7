import { sql } from 'slonik';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tx.ts';
import { createTenant } from '../../test/factories.ts';
import { setupTestDatabase } from '../../test/db.ts';
import { contactFilterCondition } from './queries.ts';
import type { ContactFilter } from './schemas.ts';

/** contactFilterCondition: the contacts table's filters and campaign segments select the same contacts. */
const db = setupTestDatabase();
let tenant = '';
let other = '';

const seed = [
  {
    wa: '4915112345601',
    name: 'Anna Schmidt',
    tags: ['vip', 'berlin'],
    attrs: { plan: 'gold', spend: 120, since: '2024-05-01', active: true },
    country: 'DE',
    optIn: true,
    optOut: false,
    email: 'anna@example.test',
  },
  {
    wa: '5511987654302',
    name: 'Bruno 100%',
    tags: ['vip'],
    attrs: { plan: 'silver', spend: 80, since: '2025-01-15', active: false },
    country: 'BR',
    optIn: true,
    optOut: true,
    email: null,
  },
  {
    wa: '34612345603',
    name: 'Carla',
    tags: [],
    attrs: { spend: '300' },
    country: 'ES',
    optIn: false,
    optOut: false,
    email: 'carla@shop.test',
  },
];

const names = async (filter: ContactFilter, tenantId = tenant) =>
  (
    await withTenant(db.pools.app, tenantId, (tx) =>
      tx.any(sql.type(z.object({ name: z.string() }))`
        select k.name from app_public.contacts k where ${contactFilterCondition(filter, 'k')} order by k.name`),
    )
  ).map((r) => r.name);

beforeAll(async () => {
  tenant = (await createTenant(db.pools.owner)).id;
  other = (await createTenant(db.pools.owner)).id;
  for (const t of [tenant, other])
    await withTenant(db.pools.app, t, async (tx) => {
      for (const c of seed)
        await tx.query(sql.unsafe`
          insert into app_public.contacts (tenant_id, wa_id, name, tags, attributes, country, email,
            opted_in_at, opt_in_source, opted_out_at, opt_out_source)
          values (${t}, ${c.wa}, ${c.name}, ${sql.array(c.tags, 'text')}, ${sql.jsonb(c.attrs)}, ${c.country}, ${c.email},
            ${c.optIn ? sql.fragment`now()` : null}, ${c.optIn ? 'import' : null},
            ${c.optOut ? sql.fragment`now()` : null}, ${c.optOut ? 'keyword: STOP' : null})`);
    });
});

describe('contactFilterCondition', () => {
  it('is every contact of the workspace for an empty filter, and none of another workspace', async () => {
    expect(await names({})).toEqual(['Anna Schmidt', 'Bruno 100%', 'Carla']);
    await withTenant(db.pools.app, other, (tx) =>
      tx.query(sql.unsafe`delete from app_public.contacts where wa_id = '34612345603'`),
    );
    expect(await names({}, other)).toEqual(['Anna Schmidt', 'Bruno 100%']);
    expect(await names({})).toHaveLength(3);
  });

  it('searches names, emails and phone digits, taking LIKE wildcards literally', async () => {
    expect(await names({ search: 'schm' })).toEqual(['Anna Schmidt']);
    expect(await names({ search: 'shop.test' })).toEqual(['Carla']);
    expect(await names({ search: '+55 11 9876' })).toEqual(['Bruno 100%']);
    expect(await names({ search: '100%' })).toEqual(['Bruno 100%']);
    expect(await names({ search: '%' })).toEqual(['Bruno 100%']);
  });

  it('selects by tags: any, all, none', async () => {
    expect(await names({ tags: { any: ['berlin', 'nope'] } })).toEqual(['Anna Schmidt']);
    expect(await names({ tags: { all: ['vip', 'berlin'] } })).toEqual(['Anna Schmidt']);
    expect(await names({ tags: { none: ['vip'] } })).toEqual(['Carla']);
  });

  it('compares attributes by type: numbers as numbers, dates as dates, a text "300" is no number', async () => {
    expect(await names({ attributes: [{ key: 'plan', op: 'is', value: 'gold' }] })).toEqual(['Anna Schmidt']);
    expect(await names({ attributes: [{ key: 'plan', op: 'isNot', value: 'gold' }] })).toEqual([
      'Bruno 100%',
      'Carla',
    ]);
    expect(await names({ attributes: [{ key: 'spend', op: 'gt', value: 100 }] })).toEqual(['Anna Schmidt']);
    expect(await names({ attributes: [{ key: 'spend', op: 'lte', value: 1000 }] })).toEqual([
      'Anna Schmidt',
      'Bruno 100%',
    ]);
    expect(await names({ attributes: [{ key: 'since', op: 'gte', value: '2025-01-01' }] })).toEqual([
      'Bruno 100%',
    ]);
    expect(await names({ attributes: [{ key: 'active', op: 'is', value: false }] })).toEqual(['Bruno 100%']);
    expect(await names({ attributes: [{ key: 'plan', op: 'in', value: ['gold', 'silver'] }] })).toEqual([
      'Anna Schmidt',
      'Bruno 100%',
    ]);
    expect(await names({ attributes: [{ key: 'plan', op: 'contains', value: 'OL' }] })).toEqual([
      'Anna Schmidt',
    ]);
    expect(await names({ attributes: [{ key: 'plan', op: 'notSet' }] })).toEqual(['Carla']);
    expect(
      await names({
        attributes: [
          { key: 'spend', op: 'set' },
          { key: 'plan', op: 'set' },
        ],
      }),
    ).toEqual(['Anna Schmidt', 'Bruno 100%']);
  });

  it('selects by opt-in, opt-out and country', async () => {
    expect(await names({ optedIn: true })).toEqual(['Anna Schmidt']);
    expect(await names({ optedIn: false })).toEqual(['Bruno 100%', 'Carla']);
    expect(await names({ optedOut: true })).toEqual(['Bruno 100%']);
    expect(await names({ optedOut: false, countries: ['BR', 'ES'] })).toEqual(['Carla']);
  });

  it('selects by last inbound time (never wrote counts as "not since")', async () => {
    const at = new Date().toISOString();
    expect(await names({ lastInboundAfter: at })).toEqual([]);
    expect(await names({ lastInboundBefore: at })).toHaveLength(3);
  });
});
