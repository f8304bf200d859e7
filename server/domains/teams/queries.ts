import { sql } from 'slonik';
import { z } from 'zod';

/** A team: a named group of members conversations can be assigned to. */
export const teamSchema = z.object({
  id: z.string(),
  name: z.string(),
  memberIds: z.array(z.string()),
});
export type Team = z.infer<typeof teamSchema>;

const teamColumns = sql.fragment`
  t.id, t.name,
  coalesce((select array_agg(m.user_id order by m.created_at) from app_public.team_members m where m.team_id = t.id), '{}') as "memberIds"`;

export const listTeams = () =>
  sql.type(teamSchema)`select ${teamColumns} from app_public.teams t order by lower(t.name)`;

export const teamById = (id: string) =>
  sql.type(teamSchema)`select ${teamColumns} from app_public.teams t where t.id = ${id}`;

/** Null when the name is taken (case-insensitively). */
export const insertTeam = (name: string) =>
  sql.type(z.object({ id: z.string() }))`
    insert into app_public.teams (tenant_id, name) values (app_public.current_tenant_id(), ${name})
    on conflict (tenant_id, lower(name)) do nothing
    returning id`;

export const nameTaken = (name: string, exceptId: string | null) =>
  sql.unsafe`select 1 from app_public.teams where lower(name) = lower(${name}) and id is distinct from ${exceptId}::uuid`;

export const renameTeam = (id: string, name: string) =>
  sql.type(
    z.object({ id: z.string() }),
  )`update app_public.teams set name = ${name} where id = ${id} returning id`;

export const deleteTeam = (id: string) =>
  sql.type(z.object({ id: z.string() }))`delete from app_public.teams where id = ${id} returning id`;

/** Adds a member to a team (no row when already in it). */
export const addTeamMember = (teamId: string, userId: string) => sql.unsafe`
  insert into app_public.team_members (tenant_id, team_id, user_id)
  values (app_public.current_tenant_id(), ${teamId}, ${userId})
  on conflict do nothing`;

export const removeTeamMember = (teamId: string, userId: string) =>
  sql.unsafe`delete from app_public.team_members where team_id = ${teamId} and user_id = ${userId}`;

export const memberExists = (userId: string) =>
  sql.unsafe`select 1 from app_public.memberships where user_id = ${userId}`;

/** Announces a team change on the realtime bus (ids only). */
export const announceTeam = (teamId: string) =>
  sql.unsafe`select app_public.record_realtime_event('team.changed', array[${teamId}::uuid])`;
