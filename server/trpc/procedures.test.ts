import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Role } from '../domains/members/roles.ts';
import { setupTestApp } from '../test/app.ts';
import { createTenant, createUser } from '../test/factories.ts';
import { createContextInner, type SessionUser } from './context.ts';
import { authedProcedure, createCallerFactory, publicProcedure, router, tenantProcedure } from './init.ts';

const parley = setupTestApp();

/** A router built with the real procedure builders, standing in for the domain routers to come. */
const testRouter = router({
  hello: publicProcedure
    .input(z.object({ name: z.string().min(2) }))
    .query(({ input }) => `hello ${input.name}`),
  me: authedProcedure.query(({ ctx }) => ctx.user.email),
  scope: tenantProcedure('viewer').query(({ ctx }) =>
    ctx.withTenant((tx) =>
      tx.oneFirst(sql.type(z.object({ id: z.string() }))`select app_public.current_tenant_id()::text as id`),
    ),
  ),
  adminOnly: tenantProcedure('admin').mutation(({ ctx }) => ctx.role),
  addMember: tenantProcedure('admin')
    .input(z.object({ tenantId: z.string(), userId: z.string() }))
    .mutation(({ ctx, input }) =>
      ctx.withTenant((tx) =>
        tx.query(sql.unsafe`
          insert into app_public.memberships (tenant_id, user_id, role) values (${input.tenantId}, ${input.userId}, 'agent')
        `),
      ),
    ),
  crash: publicProcedure.query(() => {
    throw new Error('password=hunter2 leaked into a message');
  }),
});
const createCaller = createCallerFactory(testRouter);

const user: SessionUser = {
  id: '00000000-0000-7000-8000-000000000001',
  email: 'a@example.test',
  displayName: 'A',
  isPlatformAdmin: false,
};

function callerAs(
  role: Role | null,
  tenantId = '00000000-0000-7000-8000-0000000000aa',
  as: SessionUser | null = user,
) {
  return createCaller(
    createContextInner(parley.app.services, {
      user: as,
      membership: role ? { tenantId, role, tenantStatus: 'active' } : null,
    }),
  );
}

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
  return 'OK';
}

describe('procedure builders', () => {
  it('authed procedures refuse anonymous callers with UNAUTHORIZED', async () => {
    expect(await errorCode(callerAs(null, undefined, null).me())).toBe('UNAUTHORIZED');
    expect(await callerAs(null).me()).toBe('a@example.test');
  });

  it('tenant procedures need an active workspace', async () => {
    expect(await errorCode(callerAs(null).scope())).toBe('FORBIDDEN');
  });

  it('tenant procedures enforce the minimum role: owner > admin > agent > viewer', async () => {
    const outcomes = await Promise.all(
      (['owner', 'admin', 'agent', 'viewer'] as const).map(async (role) => [
        role,
        await errorCode(callerAs(role).adminOnly()),
      ]),
    );
    expect(Object.fromEntries(outcomes)).toEqual({
      owner: 'OK',
      admin: 'OK',
      agent: 'FORBIDDEN',
      viewer: 'FORBIDDEN',
    });
  });

  it('run tenant work under row-level security for the active tenant', async () => {
    const tenant = await createTenant(parley.db.pools.owner);
    expect(await callerAs('viewer', tenant.id).scope()).toBe(tenant.id);
  });
});

describe('errors', () => {
  it('map database refusals to client errors: RLS → FORBIDDEN, duplicate → CONFLICT', async () => {
    const a = await createTenant(parley.db.pools.owner);
    const b = await createTenant(parley.db.pools.owner);
    const member = await createUser(parley.db.pools.owner);
    const asAdminOfA = callerAs('admin', a.id);
    expect(await errorCode(asAdminOfA.addMember({ tenantId: b.id, userId: member.id }))).toBe('FORBIDDEN');
    await asAdminOfA.addMember({ tenantId: a.id, userId: member.id });
    expect(await errorCode(asAdminOfA.addMember({ tenantId: a.id, userId: member.id }))).toBe('CONFLICT');
  });

  async function overHttp(path: string) {
    const response = await fetchRequestHandler({
      endpoint: '/trpc',
      req: new Request(`http://parley.test/trpc/${path}`),
      router: testRouter,
      createContext: () => createContextInner(parley.app.services),
    });
    return {
      status: response.status,
      body: (await response.json()) as { error: { message: string; data: Record<string, unknown> } },
    };
  }

  it('answer bad input with BAD_REQUEST and the field that is wrong', async () => {
    const { status, body } = await overHttp(
      `hello?input=${encodeURIComponent(JSON.stringify({ name: 'x' }))}`,
    );
    expect(status).toBe(400);
    expect(body.error.data).toMatchObject({
      code: 'BAD_REQUEST',
      zodError: { fieldErrors: { name: [expect.any(String)] } },
    });
  });

  it('never echo the cause of an internal error to the client', async () => {
    const { status, body } = await overHttp('crash');
    expect(status).toBe(500);
    expect(body.error.message).toBe('Internal server error');
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(body.error.data.stack).toBeUndefined();
  });
});
