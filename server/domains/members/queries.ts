import { sql } from 'slonik';
import { z } from 'zod';
import { roleSchema, type Role } from './roles.ts';
import { invitationSchema, memberSchema } from './schemas.ts';

export const members = () => sql.type(memberSchema)`
  select user_id as "userId", email, display_name as "displayName", role, joined_at as "joinedAt"
  from app_public.tenant_members()
`;

export const memberByEmail = (email: string) => sql.type(z.object({ userId: z.string() }))`
  select user_id as "userId" from app_public.tenant_members() where lower(email) = lower(${email})
`;

export const roleOf = (userId: string) =>
  sql.type(z.object({ role: roleSchema }))`select role from app_public.memberships where user_id = ${userId}`;

/** The workspace's membership lock (sql/functions/60-members.sql), held until the transaction ends. */
export const lockMemberships = () => sql.unsafe`select app_public.lock_tenant_memberships()`;

export const setRole = (userId: string, role: Role) =>
  sql.unsafe`update app_public.memberships set role = ${role} where user_id = ${userId}`;

export const deleteMembership = (userId: string) =>
  sql.unsafe`delete from app_public.memberships where user_id = ${userId}`;

export const insertInvitation = (invitation: {
  tenantId: string;
  email: string;
  role: Role;
  tokenHash: string;
  invitedBy: string | null;
  expiresAt: string;
}) => sql.type(z.object({ id: z.string() }))`
  insert into app_public.invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
  values (${invitation.tenantId}, ${invitation.email}, ${invitation.role}, ${invitation.tokenHash},
          ${invitation.invitedBy}, ${invitation.expiresAt})
  returning id
`;

export const workspaceName = () =>
  sql.type(z.object({ name: z.string() }))`select name from app_public.current_tenant()`;

export const invitations = () => sql.type(invitationSchema)`
  select id, email, role, created_at as "createdAt", expires_at as "expiresAt",
    case when accepted_at is not null then 'accepted'
         when revoked_at is not null then 'revoked'
         when expires_at <= now() then 'expired'
         else 'pending' end as status
  from app_public.invitations
  order by created_at desc
`;

export const revokePendingInvitation = (id: string) => sql.unsafe`
  update app_public.invitations set revoked_at = now()
  where id = ${id} and accepted_at is null and revoked_at is null
`;

/** Joins the invitation's workspace (by its token's hash) as the session's user and makes it active. */
export const acceptInvitation = (tokenHash: string, sessionId: string) =>
  sql.type(z.object({ tenantId: z.string() }))`
    select app_public.accept_invitation(${tokenHash}, ${sessionId}) as "tenantId"
  `;
