import { sql } from 'slonik';
import { z } from 'zod';
import { contactSchema, type AttributeCondition, type ContactFilter } from './schemas.ts';

export const contactById = (contactId: string) => sql.type(contactSchema)`
  select k.id, coalesce(k.name, k.profile_name) as name, k.name as "agentName", k.profile_name as "profileName",
         k.wa_id as "waId", k.bsuid, k.username, k.created_at as "firstSeenAt",
         coalesce((
           select json_agg(json_build_object(
                    'id', c.id, 'status', c.status, 'lastMessageAt', c.last_message_at,
                    'lastMessagePreview', c.last_message_preview, 'businessNumber', p.display_phone_number)
                  order by c.last_message_at desc nulls last, c.id desc)
           from app_public.conversations c
           join app_public.phone_numbers p on p.id = c.phone_number_id
           where c.contact_id = k.id
         ), '[]') as conversations
  from app_public.contacts k
  where k.id = ${contactId}`;

/** Sets (or clears, with null) the agents' name; the conversations it names, for the realtime event. */
export const renameContact = (contactId: string, name: string | null) =>
  sql.type(z.object({ id: z.string() }))`
    update app_public.contacts set name = ${name} where id = ${contactId} returning id`;

/** Announces a renamed contact with its conversations (ids only), so open inboxes show the new name. */
export const announceContact = (contactId: string) =>
  sql.unsafe`select app_public.record_realtime_event('contact.updated', array[${contactId}::uuid],
    coalesce((select array_agg(c.id) from app_public.conversations c where c.contact_id = ${contactId}), '{}'))`;

type Fragment = ReturnType<typeof sql.fragment>;

/** `%text%` for LIKE, with LIKE's own wildcards taken literally. */
const likeContaining = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const attributeCondition = (k: ReturnType<typeof sql.identifier>, c: AttributeCondition): Fragment => {
  const value = sql.fragment`${k}.attributes -> ${c.key}`;
  switch (c.op) {
    case 'is':
      // Containment uses the GIN (jsonb_path_ops) index.
      return sql.fragment`${k}.attributes @> ${sql.jsonb({ [c.key]: c.value })}`;
    case 'isNot':
      return sql.fragment`not (${k}.attributes @> ${sql.jsonb({ [c.key]: c.value })})`;
    case 'contains':
      return sql.fragment`(${k}.attributes ->> ${c.key}) ilike ${likeContaining(c.value)}`;
    case 'in':
      return sql.fragment`(${k}.attributes ->> ${c.key}) = any(${sql.array(c.value, 'text')})`;
    case 'set':
      return sql.fragment`${k}.attributes ? ${c.key}`;
    case 'notSet':
      return sql.fragment`not (${k}.attributes ? ${c.key})`;
    default: {
      const op = { gt: sql.fragment`>`, gte: sql.fragment`>=`, lt: sql.fragment`<`, lte: sql.fragment`<=` }[
        c.op
      ];
      // A value of another type never matches (and never fails the cast).
      return typeof c.value === 'number'
        ? sql.fragment`(case when jsonb_typeof(${value}) = 'number' then (${value})::numeric end) ${op} ${c.value}`
        : sql.fragment`(case when jsonb_typeof(${value}) = 'string' then ${k}.attributes ->> ${c.key} end) ${op} ${c.value}`;
    }
  }
};

/**
 * The contacts a filter selects, as a condition for `WHERE` over app_public.contacts (under RLS, so
 * only the tenant's). `alias` is the name the query gives the table: `from app_public.contacts k`
 * → contactFilterCondition(filter, 'k'). Always a valid condition (`true` for an empty filter).
 */
export const contactFilterCondition = (filter: ContactFilter, alias = 'contacts'): Fragment => {
  const k = sql.identifier([alias]);
  const conditions: Fragment[] = [];
  const search = filter.search?.trim();
  if (search) {
    const like = likeContaining(search);
    const digits = search.replace(/[\s()+\-.]/g, '');
    conditions.push(sql.fragment`(${k}.name ilike ${like} or ${k}.profile_name ilike ${like} or ${k}.email ilike ${like}
      ${/^\d+$/.test(digits) ? sql.fragment`or ${k}.wa_id like ${likeContaining(digits)}` : sql.fragment``})`);
  }
  if (filter.tags?.any?.length)
    conditions.push(sql.fragment`${k}.tags && ${sql.array(filter.tags.any, 'text')}`);
  if (filter.tags?.all?.length)
    conditions.push(sql.fragment`${k}.tags @> ${sql.array(filter.tags.all, 'text')}`);
  if (filter.tags?.none?.length)
    conditions.push(sql.fragment`not (${k}.tags && ${sql.array(filter.tags.none, 'text')})`);
  for (const condition of filter.attributes ?? []) conditions.push(attributeCondition(k, condition));
  if (filter.optedIn === true)
    conditions.push(sql.fragment`(${k}.opted_in_at is not null and ${k}.opted_out_at is null)`);
  if (filter.optedIn === false)
    conditions.push(sql.fragment`(${k}.opted_in_at is null or ${k}.opted_out_at is not null)`);
  if (filter.optedOut === true) conditions.push(sql.fragment`${k}.opted_out_at is not null`);
  if (filter.optedOut === false) conditions.push(sql.fragment`${k}.opted_out_at is null`);
  if (filter.countries)
    conditions.push(sql.fragment`${k}.country = any(${sql.array(filter.countries, 'text')})`);
  if (filter.lastInboundAfter)
    conditions.push(sql.fragment`exists (select 1 from app_public.conversations c
      where c.tenant_id = ${k}.tenant_id and c.contact_id = ${k}.id and c.last_inbound_at >= ${filter.lastInboundAfter})`);
  if (filter.lastInboundBefore)
    conditions.push(sql.fragment`not exists (select 1 from app_public.conversations c
      where c.tenant_id = ${k}.tenant_id and c.contact_id = ${k}.id and c.last_inbound_at >= ${filter.lastInboundBefore})`);
  return conditions.length
    ? sql.fragment`(${sql.join(conditions, sql.fragment` and `)})`
    : sql.fragment`true`;
};
