import { TRPCError } from '@trpc/server';
import { sql } from 'slonik';
import { z } from 'zod';
import { mutableRows } from '../../db/rows.ts';
import type { Tx } from '../../db/tx.ts';
import type { Mailer } from '../../mailer.ts';
import { generateToken, hashToken } from '../auth/tokens.ts';
import { hasRole, roleSchema, type Role } from './roles.ts';
import { invitationSchema, memberSchema } from './schemas.ts';

const invitationLifetimeMs = 7 * 24 * 3600 * 1000;

export function listMembers(tx: Tx) {
  return mutableRows(
    tx.any(sql.type(memberSchema)`
    select user_id as "userId", email, display_name as "displayName", role, joined_at as "joinedAt"
    from app_public.tenant_members()
  `),
  );
}

async function roleOf(tx: Tx, userId: string): Promise<Role | null> {
  return tx.maybeOneFirst(
    sql.type(
      z.object({ role: roleSchema }),
    )`select role from app_public.memberships where user_id = ${userId}`,
  );
}

/**
 * Starts a change of who is in the workspace with what role: takes the workspace's membership lock
 * (so the owner rules read roles nobody else is changing, see sql/functions/60-members.sql) and
 * re-reads the actor's role under it; the role the request started with may be stale by now.
 */
async function lockAsActor(tx: Tx, actorUserId: string): Promise<Role> {
  await tx.query(sql.unsafe`select app_public.lock_tenant_memberships()`);
  const role = await roleOf(tx, actorUserId);
  if (!role)
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You are no longer a member of this workspace.' });
  return role;
}

async function targetRole(tx: Tx, userId: string): Promise<Role> {
  const role = await roleOf(tx, userId);
  if (!role) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such member in this workspace.' });
  return role;
}

/** Admins manage members; only an owner may change or remove an owner (owners change hands by transfer). */
async function assertMayManage(tx: Tx, actorUserId: string, userId: string) {
  const actorRole = await lockAsActor(tx, actorUserId);
  if (!hasRole(actorRole, 'admin')) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'This needs the admin role or higher.' });
  }
  if ((await targetRole(tx, userId)) === 'owner' && actorRole !== 'owner') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an owner can change or remove an owner.' });
  }
}

export async function changeRole(tx: Tx, actorUserId: string, userId: string, role: Role) {
  await assertMayManage(tx, actorUserId, userId);
  await tx.query(sql.unsafe`update app_public.memberships set role = ${role} where user_id = ${userId}`);
}

export async function removeMember(tx: Tx, actorUserId: string, userId: string) {
  await assertMayManage(tx, actorUserId, userId);
  await tx.query(sql.unsafe`delete from app_public.memberships where user_id = ${userId}`);
}

/** Leaves the workspace; the last owner cannot (the keep-an-owner trigger refuses). */
export async function leave(tx: Tx, userId: string) {
  await lockAsActor(tx, userId);
  await tx.query(sql.unsafe`delete from app_public.memberships where user_id = ${userId}`);
}

export async function transferOwnership(tx: Tx, fromUserId: string, toUserId: string) {
  if (fromUserId === toUserId)
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'You already own this workspace.' });
  // Two transfers at once from one owner: the second sees the first's result and is refused here.
  if ((await lockAsActor(tx, fromUserId)) !== 'owner') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an owner can transfer ownership.' });
  }
  await targetRole(tx, toUserId);
  // Promote first, then step down, so the workspace is never without an owner.
  await tx.query(sql.unsafe`update app_public.memberships set role = 'owner' where user_id = ${toUserId}`);
  await tx.query(sql.unsafe`update app_public.memberships set role = 'admin' where user_id = ${fromUserId}`);
}

export async function invite(
  tx: Tx,
  input: { email: string; role: Role; invitedBy: string | null; tenantId: string },
  mailer: Mailer,
  publicUrl: string,
) {
  const member = await tx.maybeOne(
    sql.type(z.object({ userId: z.string() }))`
      select user_id as "userId" from app_public.tenant_members() where lower(email) = lower(${input.email})
    `,
  );
  if (member) {
    throw new TRPCError({
      code: 'CONFLICT',
      message:
        member.userId === input.invitedBy
          ? 'You are already a member of this workspace: invite someone else.'
          : `${input.email} is already a member of this workspace.`,
    });
  }
  const token = generateToken();
  const expiresAt = new Date(Date.now() + invitationLifetimeMs).toISOString();
  const id = await tx.oneFirst(
    sql.type(z.object({ id: z.string() }))`
      insert into app_public.invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
      values (${input.tenantId}, ${input.email}, ${input.role}, ${hashToken(token)}, ${input.invitedBy}, ${expiresAt})
      returning id
    `,
  );
  const workspace = await tx.oneFirst(
    sql.type(z.object({ name: z.string() }))`select name from app_public.current_tenant()`,
  );
  const link = `${publicUrl}/invite/${token}`;
  await mailer.send({
    to: input.email,
    subject: `You are invited to ${workspace} on Parley`,
    text: `You have been invited to join ${workspace} on Parley as ${input.role}.\n\nAccept within 7 days:\n${link}`,
  });
  return { id, link, token, expiresAt };
}

export function listInvitations(tx: Tx) {
  return mutableRows(
    tx.any(sql.type(invitationSchema)`
    select id, email, role, created_at as "createdAt", expires_at as "expiresAt",
      case when accepted_at is not null then 'accepted'
           when revoked_at is not null then 'revoked'
           when expires_at <= now() then 'expired'
           else 'pending' end as status
    from app_public.invitations
    order by created_at desc
  `),
  );
}

export async function revokeInvitation(tx: Tx, id: string) {
  const revoked = await tx.query(sql.unsafe`
    update app_public.invitations set revoked_at = now()
    where id = ${id} and accepted_at is null and revoked_at is null
  `);
  if (revoked.rowCount === 0)
    throw new TRPCError({ code: 'NOT_FOUND', message: 'No pending invitation with that id.' });
}
