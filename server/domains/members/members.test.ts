import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import type { MailMessage } from '../../mailer.ts';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { call } from '../../test/http-client.ts';

const mail: MailMessage[] = [];
const parley = setupTestApp({ mailer: { send: async (message) => void mail.push(message) } });

async function inviteAndJoin(owner: SignedUp, role: 'admin' | 'agent' | 'viewer') {
  const invited = await call(
    parley.app,
    'mutation',
    'invitation.create',
    { email: `invitee-${Date.now()}@example.test`, role },
    { cookie: owner.token },
  );
  expect(invited.status, JSON.stringify(invited.error)).toBe(200);
  const token = invited.data.link.split('/invite/')[1] ?? '';
  const joiner = await signUpViaHttp(parley.app);
  const accepted = await call(
    parley.app,
    'mutation',
    'invitation.accept',
    { token },
    { cookie: joiner.token },
  );
  expect(accepted.status, JSON.stringify(accepted.error)).toBe(200);
  return { ...joiner, invitationToken: token };
}

const members = async (as: SignedUp) =>
  (await call(parley.app, 'query', 'member.list', undefined, { cookie: as.token })).data;

describe('invitations', () => {
  it('invite a teammate by link (also emailed); accepting joins with the role and switches to the workspace', async () => {
    const owner = await signUpViaHttp(parley.app, { workspaceName: 'Support Team' });
    mail.length = 0;
    const invited = await call(
      parley.app,
      'mutation',
      'invitation.create',
      { email: 'new.agent@example.test', role: 'agent' },
      { cookie: owner.token },
    );
    expect(invited.data.link).toMatch(
      new RegExp(`^${parley.app.services.config.publicUrl}/invite/[a-z2-7]{32}$`),
    );
    expect(mail).toEqual([
      expect.objectContaining({
        to: 'new.agent@example.test',
        subject: 'You are invited to Support Team on Parley',
      }),
    ]);
    expect(mail[0]?.text).toContain(invited.data.link);

    const agent = await signUpViaHttp(parley.app);
    const token = invited.data.link.split('/invite/')[1];
    const accepted = await call(
      parley.app,
      'mutation',
      'invitation.accept',
      { token },
      { cookie: agent.token },
    );
    expect(accepted.data.tenantId).toBe(owner.tenantId);

    const me = await call(parley.app, 'query', 'auth.me', undefined, { cookie: agent.token });
    expect(me.data?.activeTenantId).toBe(owner.tenantId);
    expect(me.data?.workspaces.map((w) => [w.name, w.role])).toEqual([
      [agent.me.workspaces[0]?.name, 'owner'],
      ['Support Team', 'agent'],
    ]);
    expect((await members(owner)).map((m) => [m.userId, m.role])).toEqual([
      [owner.userId, 'owner'],
      [agent.userId, 'agent'],
    ]);
  });

  it('work once: a used, revoked or expired invitation is refused', async () => {
    const owner = await signUpViaHttp(parley.app);
    const joined = await inviteAndJoin(owner, 'viewer');
    const someoneElse = await signUpViaHttp(parley.app);
    const reused = await call(
      parley.app,
      'mutation',
      'invitation.accept',
      { token: joined.invitationToken },
      { cookie: someoneElse.token },
    );
    expect(reused.status).toBe(404);
    expect(reused.error?.message).toMatch(/invalid, used or expired/);

    const revokedInvite = await call(
      parley.app,
      'mutation',
      'invitation.create',
      { email: 'x@example.test', role: 'agent' },
      { cookie: owner.token },
    );
    await call(
      parley.app,
      'mutation',
      'invitation.revoke',
      { id: revokedInvite.data.id },
      { cookie: owner.token },
    );
    const revoked = await call(
      parley.app,
      'mutation',
      'invitation.accept',
      { token: revokedInvite.data.link.split('/invite/')[1] },
      { cookie: someoneElse.token },
    );
    expect(revoked.status).toBe(404);

    const expiringInvite = await call(
      parley.app,
      'mutation',
      'invitation.create',
      { email: 'y@example.test', role: 'agent' },
      { cookie: owner.token },
    );
    await parley.db.pools.owner.query(
      sql.unsafe`update app_public.invitations set expires_at = now() - interval '1 second' where id = ${expiringInvite.data.id}`,
    );
    const expired = await call(
      parley.app,
      'mutation',
      'invitation.accept',
      { token: expiringInvite.data.link.split('/invite/')[1] },
      { cookie: someoneElse.token },
    );
    expect(expired.status).toBe(404);

    const list = await call(parley.app, 'query', 'invitation.list', undefined, {
      cookie: owner.token,
    });
    expect(Object.fromEntries(list.data.map((i) => [i.id, i.status]))).toMatchObject({
      [revokedInvite.data.id]: 'revoked',
      [expiringInvite.data.id]: 'expired',
    });
    expect(list.data.filter((i) => i.status === 'accepted')).toHaveLength(1);
  });

  it('refuse inviting oneself or someone already in the workspace, saying so', async () => {
    const owner = await signUpViaHttp(parley.app);
    const teammate = await inviteAndJoin(owner, 'agent');
    const self = await call(
      parley.app,
      'mutation',
      'invitation.create',
      { email: owner.email.toUpperCase(), role: 'admin' },
      { cookie: owner.token },
    );
    expect(self.status).toBe(409);
    expect(self.error?.message).toBe('You are already a member of this workspace: invite someone else.');
    const member = await call(
      parley.app,
      'mutation',
      'invitation.create',
      { email: teammate.email, role: 'admin' },
      { cookie: owner.token },
    );
    expect(member.status).toBe(409);
    expect(member.error?.message).toBe(`${teammate.email} is already a member of this workspace.`);
  });

  it('cannot make someone owner; ownership changes hands by transfer', async () => {
    const owner = await signUpViaHttp(parley.app);
    const result = await call(
      parley.app,
      'mutation',
      'invitation.create',
      { email: 'boss@example.test', role: 'owner' },
      { cookie: owner.token },
    );
    expect(result.status).toBe(400);
  });

  it('respect the plan’s seat limit', async () => {
    const owner = await signUpViaHttp(parley.app); // Free plan: 3 seats
    await inviteAndJoin(owner, 'agent');
    await inviteAndJoin(owner, 'agent');
    const invited = await call(
      parley.app,
      'mutation',
      'invitation.create',
      { email: 'fourth@example.test', role: 'agent' },
      { cookie: owner.token },
    );
    const fourth = await signUpViaHttp(parley.app);
    const refused = await call(
      parley.app,
      'mutation',
      'invitation.accept',
      { token: invited.data.link.split('/invite/')[1] },
      { cookie: fourth.token },
    );
    expect(refused.status).toBe(403);
    expect(refused.error?.message).toBe('This workspace has used all 3 seats of its plan.');
  });

  it('can be accepted at sign-up, joining instead of creating a workspace', async () => {
    const owner = await signUpViaHttp(parley.app, { workspaceName: 'Joinable' });
    const invited = await call(
      parley.app,
      'mutation',
      'invitation.create',
      { email: 'direct@example.test', role: 'viewer' },
      { cookie: owner.token },
    );
    const joiner = await signUpViaHttp(parley.app, {
      invitationToken: invited.data.link.split('/invite/')[1] ?? '',
    });
    expect(joiner.me.workspaces).toEqual([
      expect.objectContaining({ tenantId: owner.tenantId, role: 'viewer' }),
    ]);
  });
});

describe('workspaces', () => {
  it('switch between the user’s workspaces, and not into others', async () => {
    const owner = await signUpViaHttp(parley.app);
    const member = await inviteAndJoin(owner, 'agent');
    const switched = await call(
      parley.app,
      'mutation',
      'tenant.switch',
      { tenantId: member.tenantId },
      { cookie: member.token },
    );
    expect(switched.status).toBe(200);
    expect(
      (await call(parley.app, 'query', 'auth.me', undefined, { cookie: member.token })).data?.activeTenantId,
    ).toBe(member.tenantId);

    const stranger = await signUpViaHttp(parley.app);
    const refused = await call(
      parley.app,
      'mutation',
      'tenant.switch',
      { tenantId: stranger.tenantId },
      { cookie: member.token },
    );
    expect(refused.status).toBe(403);
    expect(refused.error?.message).toBe('You are not a member of that workspace.');
  });

  it('create another workspace, owned by the user and made active', async () => {
    const user = await signUpViaHttp(parley.app);
    const created = await call(
      parley.app,
      'mutation',
      'tenant.create',
      { name: 'Second Shop' },
      { cookie: user.token },
    );
    const current = await call(parley.app, 'query', 'tenant.current', undefined, { cookie: user.token });
    expect(current.data).toMatchObject({
      id: created.data.tenantId,
      name: 'Second Shop',
      plan: { id: 'free', seatsUsed: 1 },
    });
  });
});

describe('member management', () => {
  it('admins change roles of non-owners; only owners touch owners', async () => {
    const owner = await signUpViaHttp(parley.app);
    const admin = await inviteAndJoin(owner, 'admin');
    const agent = await inviteAndJoin(owner, 'agent');
    expect(
      (
        await call(
          parley.app,
          'mutation',
          'member.changeRole',
          { userId: agent.userId, role: 'viewer' },
          { cookie: admin.token },
        )
      ).status,
    ).toBe(200);
    const touchOwner = await call(
      parley.app,
      'mutation',
      'member.changeRole',
      { userId: owner.userId, role: 'agent' },
      { cookie: admin.token },
    );
    expect(touchOwner.status).toBe(403);
    const removeOwner = await call(
      parley.app,
      'mutation',
      'member.remove',
      { userId: owner.userId },
      { cookie: admin.token },
    );
    expect(removeOwner.status).toBe(403);
    expect((await members(owner)).find((m) => m.userId === agent.userId)?.role).toBe('viewer');
  });

  it('remove a member: they lose access at once', async () => {
    const owner = await signUpViaHttp(parley.app);
    const agent = await inviteAndJoin(owner, 'agent');
    expect(
      (await call(parley.app, 'mutation', 'member.remove', { userId: agent.userId }, { cookie: owner.token }))
        .status,
    ).toBe(200);
    const after = await call(parley.app, 'query', 'member.list', undefined, { cookie: agent.token });
    expect(after.status).toBe(403);
  });

  it('the last owner cannot leave or be demoted; after a transfer they can', async () => {
    const owner = await signUpViaHttp(parley.app);
    const admin = await inviteAndJoin(owner, 'admin');
    const leave = await call(parley.app, 'mutation', 'member.leave', undefined, { cookie: owner.token });
    expect(leave.status).toBe(412);
    expect(leave.error?.message).toMatch(/needs at least one owner/);

    const transfer = await call(
      parley.app,
      'mutation',
      'member.transferOwnership',
      { userId: admin.userId },
      { cookie: owner.token },
    );
    expect(transfer.status).toBe(200);
    expect(Object.fromEntries((await members(admin)).map((m) => [m.userId, m.role]))).toEqual({
      [owner.userId]: 'admin',
      [admin.userId]: 'owner',
    });
    expect(
      (await call(parley.app, 'mutation', 'member.leave', undefined, { cookie: owner.token })).status,
    ).toBe(200);
    expect((await members(admin)).map((m) => m.userId)).toEqual([admin.userId]);
  });

  it('only an owner can transfer ownership, and only to a member', async () => {
    const owner = await signUpViaHttp(parley.app);
    const admin = await inviteAndJoin(owner, 'admin');
    expect(
      (
        await call(
          parley.app,
          'mutation',
          'member.transferOwnership',
          { userId: admin.userId },
          { cookie: admin.token },
        )
      ).status,
    ).toBe(403);
    const stranger = await signUpViaHttp(parley.app);
    expect(
      (
        await call(
          parley.app,
          'mutation',
          'member.transferOwnership',
          { userId: stranger.userId },
          { cookie: owner.token },
        )
      ).status,
    ).toBe(404);
  });
});
