import { sql } from 'slonik';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAdmin, parseCreateAdminArgs } from '../../cli/create-admin.ts';
import { withTenant } from '../../db/tx.ts';
import { signUpViaHttp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { call } from '../../test/http-client.ts';

const parley = setupTestApp();
let adminToken = '';
beforeAll(async () => {
  await createAdmin(
    parley.db.pools.owner,
    parseCreateAdminArgs(['--email', 'ops@example.test', '--password', 'operator password 1']),
  );
  const login = await call(parley.app, 'mutation', 'auth.logIn', {
    email: 'ops@example.test',
    password: 'operator password 1',
  });
  adminToken = login.sessionCookie ?? '';
});

describe('create-admin', () => {
  it('creates a platform admin, or promotes an existing account without needing a password', async () => {
    const user = await signUpViaHttp(parley.app);
    const result = await createAdmin(
      parley.db.pools.owner,
      parseCreateAdminArgs(['--email', user.email.toUpperCase()]),
    );
    expect(result).toEqual({ userId: user.userId, created: false });
    const me = await call(parley.app, 'query', 'auth.me', undefined, {
      cookie: user.token,
    });
    expect(me.data?.user.isPlatformAdmin).toBe(true);
  });

  it('explains what is missing', () => {
    expect(() => parseCreateAdminArgs(['--email', 'nope'])).toThrow(/--email: Enter a valid email address/);
    expect(() => parseCreateAdminArgs(['--email', 'a@b.example', '--password', 'short'], {})).toThrow(
      /--password: Use at least 10/,
    );
  });
});

describe('platform console', () => {
  it('is closed to workspace owners who are not platform admins', async () => {
    const owner = await signUpViaHttp(parley.app);
    const result = await call(parley.app, 'query', 'platform.tenants', undefined, { cookie: owner.token });
    expect(result.status).toBe(403);
  });

  it('lists every workspace with plan, status and member count; plans are data with the product’s defaults', async () => {
    const owner = await signUpViaHttp(parley.app, { workspaceName: 'Listed Co' });
    const tenants = await call(parley.app, 'query', 'platform.tenants', undefined, {
      cookie: adminToken,
    });
    expect(tenants.data.find((t) => t.id === owner.tenantId)).toMatchObject({
      status: 'active',
      planId: 'free',
      members: 1,
    });
    const plans = await call(parley.app, 'query', 'platform.plans', undefined, { cookie: adminToken });
    expect(plans.data.map((p) => [p.id, p.messagesPerMinute])).toEqual([
      ['free', 60],
      ['starter', 120],
      ['pro', 300],
    ]);
  });

  it('suspends a workspace: members still read, sending is refused with a clear error; resume lifts it', async () => {
    const owner = await signUpViaHttp(parley.app);
    const suspended = await call(
      parley.app,
      'mutation',
      'platform.suspendTenant',
      { tenantId: owner.tenantId, reason: 'Unpaid invoice' },
      { cookie: adminToken },
    );
    expect(suspended.status).toBe(200);
    const tenants = await call(parley.app, 'query', 'platform.tenants', undefined, {
      cookie: adminToken,
    });
    expect(tenants.data.find((t) => t.id === owner.tenantId)).toMatchObject({
      status: 'suspended',
      suspendedReason: 'Unpaid invoice',
    });

    expect((await call(parley.app, 'query', 'member.list', undefined, { cookie: owner.token })).status).toBe(
      200,
    );
    const assertActive = () =>
      withTenant(parley.db.pools.app, owner.tenantId, (tx) =>
        tx.query(sql.unsafe`select app_public.assert_tenant_active()`),
      );
    await expect(assertActive()).rejects.toThrow(/suspended: sending is disabled/);

    await call(
      parley.app,
      'mutation',
      'platform.resumeTenant',
      { tenantId: owner.tenantId },
      { cookie: adminToken },
    );
    await expect(assertActive()).resolves.toBeDefined();
  });

  it('sets a workspace’s plan, refusing unknown plans', async () => {
    const owner = await signUpViaHttp(parley.app);
    expect(
      (
        await call(
          parley.app,
          'mutation',
          'platform.setTenantPlan',
          { tenantId: owner.tenantId, planId: 'pro' },
          { cookie: adminToken },
        )
      ).status,
    ).toBe(200);
    const current = await call(parley.app, 'query', 'tenant.current', undefined, { cookie: owner.token });
    expect(current.data.plan).toMatchObject({ id: 'pro', messagesPerMinute: 300 });
    const unknown = await call(
      parley.app,
      'mutation',
      'platform.setTenantPlan',
      { tenantId: owner.tenantId, planId: 'gold' },
      { cookie: adminToken },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.error?.message).toBe('No plan "gold".');
  });

  it('shows queue statistics in tRPC and at GET /api/admin/queues/stats, to operators only', async () => {
    const stats = await call(parley.app, 'query', 'platform.queueStats', undefined, { cookie: adminToken });
    expect(stats.data.map((q) => q.name)).toEqual([
      'webhook.process',
      'webhook.retention',
      'realtime.prune',
      'conversation.wake',
      'message.send',
      'message.read',
      'media.fetch',
      'media.retention',
      'campaign.run',
      'contact.import',
      'analytics.rollup',
      'template.sync',
      'mail.send',
    ]);
    const http = await parley.app.inject({
      method: 'GET',
      url: '/api/admin/queues/stats',
      headers: { cookie: `parley_session=${adminToken}` },
    });
    expect(http.statusCode).toBe(200);
    expect(http.json<{ queues: unknown[] }>().queues).toEqual(stats.data);
    const owner = await signUpViaHttp(parley.app);
    const refused = await parley.app.inject({
      method: 'GET',
      url: '/api/admin/queues/stats',
      headers: { cookie: `parley_session=${owner.token}` },
    });
    expect(refused.statusCode).toBe(403);
    expect((await parley.app.inject({ method: 'GET', url: '/api/admin/queues/stats' })).statusCode).toBe(401);
  });

  it('checks the operator flag in the database too, not only in the procedure', async () => {
    const owner = await signUpViaHttp(parley.app);
    await expect(
      parley.db.pools.app.transaction(async (tx) => {
        await tx.query(sql.unsafe`select set_config('app.user_id', ${owner.userId}, true)`);
        return tx.any(sql.type(z.object({ id: z.string() }))`select id from app_public.platform_tenants()`);
      }),
    ).rejects.toThrow(/Only platform administrators/);
  });
});

describe('unrouted webhooks', () => {
  it('say why each change reached no workspace, in words an operator can act on', async () => {
    await parley.db.pools.owner.query(sql.unsafe`
      with delivery as (
        insert into app_private.webhook_deliveries (app_key, body, status)
        values ('unrouted-test', convert_to('{}', 'UTF8'), 'processed') returning id
      )
      insert into app_private.unrouted_webhook_events
        (delivery_id, change_index, field, phone_number_id, reason, payload)
      select id, i, 'messages', n, r, '{}'::jsonb from delivery,
        (values (0, '4300001', 'other_app'), (1, '4300002', 'unknown'), (2, '4300003', null))
          as c(i, n, r)
    `);
    const result = await call(
      parley.app,
      'query',
      'platform.unroutedWebhooks',
      {},
      {
        cookie: adminToken,
      },
    );
    expect(result.status, JSON.stringify(result.error)).toBe(200);
    const byNumber = new Map(result.data.map((change) => [change.phoneNumberId, change]));
    expect(byNumber.get('4300001')).toMatchObject({
      reason: 'other_app',
      explanation: expect.stringMatching(/different Meta app or app secret/),
    });
    expect(byNumber.get('4300002')).toMatchObject({
      reason: 'unknown',
      explanation: expect.stringMatching(/No channel in any workspace has this phone number/),
    });
    // Recorded before reasons existed: nobody had the number then either.
    expect(byNumber.get('4300003')?.reason).toBe('unknown');
  });
});
