import { sql } from 'slonik';
import { z } from 'zod';

/** A phone number of the workspace with its round-robin rule (enabled false: none). */
export const ruleSchema = z.object({
  phoneNumberId: z.string(),
  displayPhoneNumber: z.string(),
  verifiedName: z.string().nullable(),
  enabled: z.boolean(),
  /** Round robin among this team's available members; null: every available member. */
  teamId: z.string().nullable(),
});
export type Rule = z.infer<typeof ruleSchema>;

export const rules = () => sql.type(ruleSchema)`
  select p.id as "phoneNumberId", p.display_phone_number as "displayPhoneNumber", p.verified_name as "verifiedName",
         r.phone_number_id is not null as enabled, r.team_id as "teamId"
  from app_public.phone_numbers p
  left join app_public.auto_assignment_rules r on r.phone_number_id = p.id
  order by p.display_phone_number, p.id`;

export const ruleOf = (phoneNumberId: string) => sql.type(ruleSchema)`
  select p.id as "phoneNumberId", p.display_phone_number as "displayPhoneNumber", p.verified_name as "verifiedName",
         r.phone_number_id is not null as enabled, r.team_id as "teamId"
  from app_public.phone_numbers p
  left join app_public.auto_assignment_rules r on r.phone_number_id = p.id
  where p.id = ${phoneNumberId}`;

export const phoneNumberExists = (id: string) =>
  sql.unsafe`select 1 from app_public.phone_numbers where id = ${id}`;
export const teamExists = (id: string) => sql.unsafe`select 1 from app_public.teams where id = ${id}`;

export const upsertRule = (phoneNumberId: string, teamId: string | null) => sql.unsafe`
  insert into app_public.auto_assignment_rules (tenant_id, phone_number_id, team_id)
  values (app_public.current_tenant_id(), ${phoneNumberId}, ${teamId}::uuid)
  on conflict (tenant_id, phone_number_id) do update set team_id = excluded.team_id`;

export const deleteRule = (phoneNumberId: string) =>
  sql.unsafe`delete from app_public.auto_assignment_rules where phone_number_id = ${phoneNumberId}`;

export const availableUserIds = () =>
  sql.type(
    z.object({ userId: z.string() }),
  )`select user_id as "userId" from app_public.available_members order by user_id`;

export const markAvailable = (userId: string) => sql.unsafe`
  insert into app_public.available_members (tenant_id, user_id) values (app_public.current_tenant_id(), ${userId})
  on conflict do nothing`;

export const markUnavailable = (userId: string) =>
  sql.unsafe`delete from app_public.available_members where user_id = ${userId}`;

/** Announces an availability change (entity ids: the member) to the workspace. */
export const announceAvailability = (userId: string) =>
  sql.unsafe`select app_public.record_realtime_event('availability.changed', array[${userId}::uuid], '{}')`;

/**
 * Round robin for the tenant in scope: its due conversations, or only `conversationIds`
 * (sql/functions/92-collaboration.sql).
 */
export const assignDue = (conversationIds: readonly string[] | null) =>
  sql.type(z.object({ conversationId: z.string(), userId: z.string() }))`
    select conversation_id as "conversationId", user_id as "userId"
    from app_public.auto_assign_due_conversations(${conversationIds ? sql.array(conversationIds, 'uuid') : null})`;
