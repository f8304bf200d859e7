import { TRPCError } from '@trpc/server';
import { mutableRows } from '../../db/rows.ts';
import type { Tx } from '../../db/tx.ts';
import type { Mailer } from '../../mailer.ts';
import { generateToken, hashToken } from '../auth/tokens.ts';
import {
  acceptInvitation as acceptInvitationQuery,
  deleteMembership,
  insertInvitation,
  invitations,
  lockMemberships,
  memberByEmail,
  members,
  revokePendingInvitation,
  roleOf as roleQuery,
  setRole,
  workspaceName,
} from './queries.ts';
import { hasRole, type Role } from './roles.ts';

const invitationLifetimeMs = 7 * 24 * 3600 * 1000;

export function listMembers(tx: Tx) {
  return mutableRows(tx.any(members()));
}

async function roleOf(tx: Tx, userId: string): Promise<Role | null> {
  return tx.maybeOneFirst(roleQuery(userId));
}

/**
 * Starts a change of who is in the workspace with what role: takes the workspace's membership lock
 * (so the owner rules read roles nobody else is changing, see sql/functions/60-members.sql) and
 * re-reads the actor's role under it; the role the request started with may be stale by now.
 */
async function lockAsActor(tx: Tx, actorUserId: string): Promise<Role> {
  await tx.query(lockMemberships());
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
  await tx.query(setRole(userId, role));
}

export async function removeMember(tx: Tx, actorUserId: string, userId: string) {
  await assertMayManage(tx, actorUserId, userId);
  await tx.query(deleteMembership(userId));
}

/** Leaves the workspace; the last owner cannot (the keep-an-owner trigger refuses). */
export async function leave(tx: Tx, userId: string) {
  await lockAsActor(tx, userId);
  await tx.query(deleteMembership(userId));
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
  await tx.query(setRole(toUserId, 'owner'));
  await tx.query(setRole(fromUserId, 'admin'));
}

export async function invite(
  tx: Tx,
  input: { email: string; role: Role; invitedBy: string | null; tenantId: string },
  mailer: Mailer,
  publicUrl: string,
) {
  const member = await tx.maybeOne(memberByEmail(input.email));
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
    insertInvitation({
      tenantId: input.tenantId,
      email: input.email,
      role: input.role,
      tokenHash: hashToken(token),
      invitedBy: input.invitedBy,
      expiresAt,
    }),
  );
  const workspace = await tx.oneFirst(workspaceName());
  const link = `${publicUrl}/invite/${token}`;
  await mailer.send({
    to: input.email,
    subject: `You are invited to ${workspace} on Parley`,
    text: `You have been invited to join ${workspace} on Parley as ${input.role}.\n\nAccept within 7 days:\n${link}`,
  });
  return { id, link, token, expiresAt };
}

export function listInvitations(tx: Tx) {
  return mutableRows(tx.any(invitations()));
}

export async function revokeInvitation(tx: Tx, id: string) {
  const revoked = await tx.query(revokePendingInvitation(id));
  if (revoked.rowCount === 0)
    throw new TRPCError({ code: 'NOT_FOUND', message: 'No pending invitation with that id.' });
}

/** Joins the invitation's workspace as the session's user and makes it the session's active one. */
export function acceptInvitation(tx: Tx, token: string, sessionId: string): Promise<string> {
  return tx.oneFirst(acceptInvitationQuery(hashToken(token), sessionId));
}
