import { sql } from 'slonik';
import { cannedResponseSchema } from './schemas.ts';

const columns = sql.fragment`r.id, r.shortcut, r.body, r.updated_at as "updatedAt"`;

export const listCanned = () =>
  sql.type(cannedResponseSchema)`select ${columns} from app_public.canned_responses r order by r.shortcut`;

/** Null when the shortcut is taken. */
export const insertCanned = (shortcut: string, body: string) => sql.type(cannedResponseSchema)`
  insert into app_public.canned_responses as r (tenant_id, shortcut, body)
  values (app_public.current_tenant_id(), ${shortcut}, ${body})
  on conflict (tenant_id, shortcut) do nothing
  returning ${columns}`;

export const updateCanned = (id: string, shortcut: string, body: string) => sql.type(cannedResponseSchema)`
  update app_public.canned_responses r set shortcut = ${shortcut}, body = ${body}
  where r.id = ${id}
  returning ${columns}`;

export const shortcutTaken = (shortcut: string, exceptId: string | null) =>
  sql.unsafe`select 1 from app_public.canned_responses where shortcut = ${shortcut} and id is distinct from ${exceptId}::uuid`;

export const deleteCanned = (id: string) =>
  sql.unsafe`delete from app_public.canned_responses where id = ${id} returning id`;
