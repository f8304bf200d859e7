import { sql } from 'slonik';
import { z } from 'zod';
import {
  attributeDefinitionSchema,
  contactRowSchema,
  contactSchema,
  type AttributeCondition,
  type AttributeDefinition,
  type AttributeValue,
  type ContactFilter,
} from './schemas.ts';

/** The contact book's columns (tags, attributes, consent, …) of contact `k`. */
const bookColumns = sql.fragment`k.tags, k.attributes, k.country, k.email, k.notes,
  k.opted_in_at as "optedInAt", k.opt_in_source as "optInSource",
  k.opted_out_at as "optedOutAt", k.opt_out_source as "optOutSource"`;

export const contactById = (contactId: string) => sql.type(contactSchema)`
  select k.id, coalesce(k.name, k.profile_name) as name, k.name as "agentName", k.profile_name as "profileName",
         k.wa_id as "waId", k.bsuid, k.username, k.created_at as "firstSeenAt", ${bookColumns},
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

/** A page of the contacts table, newest first (uuid v7 ids are time-ordered), after `cursor`. */
export const listContacts = (filter: ContactFilter, cursor: string | null | undefined, limit: number) =>
  sql.type(contactRowSchema)`
    select k.id, coalesce(k.name, k.profile_name) as name, k.wa_id as "waId", k.bsuid,
           k.created_at as "firstSeenAt",
           (select max(c.last_inbound_at) from app_public.conversations c
             where c.tenant_id = k.tenant_id and c.contact_id = k.id) as "lastInboundAt",
           ${bookColumns}
    from app_public.contacts k
    where ${contactFilterCondition(filter, 'k')} ${cursor ? sql.fragment`and k.id < ${cursor}` : sql.fragment``}
    order by k.id desc
    limit ${limit}`;

export const countContacts = (filter: ContactFilter) =>
  sql.type(z.object({ count: z.number() }))`
    select count(*)::int as count from app_public.contacts k where ${contactFilterCondition(filter, 'k')}`;

export const contactIdByPhone = (waId: string) =>
  sql.type(z.object({ id: z.string() }))`select id from app_public.contacts where wa_id = ${waId}`;

export const insertContact = (c: {
  waId: string;
  country: string | null;
  name: string | null;
  email: string | null;
  notes: string | null;
  tags: string[];
  attributes: Record<string, AttributeValue>;
  optInSource: string | null;
}) =>
  sql.type(z.object({ id: z.string() }))`
    insert into app_public.contacts (tenant_id, wa_id, country, name, email, notes, tags, attributes,
      opted_in_at, opt_in_source)
    values (app_public.current_tenant_id(), ${c.waId}, ${c.country}, ${c.name}, ${c.email}, ${c.notes},
      ${sql.array(c.tags, 'text')}, ${sql.jsonb(c.attributes)},
      ${c.optInSource ? sql.fragment`now()` : null}, ${c.optInSource})
    on conflict (tenant_id, wa_id) do nothing
    returning id`;

/** Sets the given fields; attribute changes merge (a null value removes its key). */
export const updateContact = (
  id: string,
  c: {
    name?: string | null | undefined;
    email?: string | null | undefined;
    notes?: string | null | undefined;
    tags?: string[] | undefined;
    attributes?: Record<string, AttributeValue> | undefined;
  },
) => {
  const sets: Fragment[] = [];
  if (c.name !== undefined) sets.push(sql.fragment`name = ${c.name}`);
  if (c.email !== undefined) sets.push(sql.fragment`email = ${c.email}`);
  if (c.notes !== undefined) sets.push(sql.fragment`notes = ${c.notes}`);
  if (c.tags !== undefined) sets.push(sql.fragment`tags = ${sql.array([...new Set(c.tags)], 'text')}`);
  if (c.attributes !== undefined)
    sets.push(sql.fragment`attributes = jsonb_strip_nulls(attributes || ${sql.jsonb(c.attributes)})`);
  if (sets.length === 0) sets.push(sql.fragment`id = id`);
  return sql.type(z.object({ id: z.string() }))`
    update app_public.contacts set ${sql.join(sets, sql.fragment`, `)} where id = ${id} returning id`;
};

/** Adds and removes tags on many contacts at once (the table's bulk action); returns those changed. */
export const retagContacts = (ids: string[], add: string[], remove: string[]) =>
  sql.type(z.object({ id: z.string() }))`
    update app_public.contacts c
    set tags = array(
      select distinct t from unnest(c.tags || ${sql.array(add, 'text')}) t
      where t <> all(${sql.array(remove, 'text')}) order by t
    )
    where c.id = any(${sql.array(ids, 'uuid')})
    returning c.id`;

export const optIn = (id: string, source: string) =>
  sql.type(z.object({ id: z.string() }))`
    update app_public.contacts set opted_in_at = now(), opt_in_source = ${source},
      opted_out_at = null, opt_out_source = null
    where id = ${id} returning id`;

export const optOut = (id: string, source: string) =>
  sql.type(z.object({ id: z.string() }))`
    update app_public.contacts set opted_out_at = now(), opt_out_source = ${source}
    where id = ${id} returning id`;

export const deleteContact = (id: string) =>
  sql.type(z.object({ id: z.string() }))`delete from app_public.contacts where id = ${id} returning id`;

export const attributeDefinitions = () =>
  sql.type(attributeDefinitionSchema)`
    select key, label, type, options from app_public.contact_attributes order by created_at, key`;

export const insertAttribute = (a: AttributeDefinition) =>
  sql.type(attributeDefinitionSchema)`
    insert into app_public.contact_attributes (tenant_id, key, label, type, options)
    values (app_public.current_tenant_id(), ${a.key}, ${a.label}, ${a.type},
      ${a.options ? sql.array(a.options, 'text') : null})
    on conflict (tenant_id, key) do nothing
    returning key, label, type, options`;

export const updateAttribute = (key: string, label: string, options: string[] | null) =>
  sql.type(attributeDefinitionSchema)`
    update app_public.contact_attributes
    set label = ${label}, options = case when type = 'list' then ${options ? sql.array(options, 'text') : null}::text[] end
    where key = ${key}
    returning key, label, type, options`;

/** Removes a definition and every contact's value for it. */
export const deleteAttribute = (key: string) =>
  sql.unsafe`with gone as (delete from app_public.contact_attributes where key = ${key} returning key)
    update app_public.contacts set attributes = attributes - ${key}
    where attributes ? ${key} and exists (select 1 from gone)`;

export const contactSettings = () =>
  sql.type(z.object({ defaultCountry: z.string().nullable(), optOutKeywords: z.array(z.string()) }))`
    select default_country as "defaultCountry", opt_out_keywords as "optOutKeywords"
    from app_public.contact_settings()`;

export const setContactSettings = (defaultCountry: string | null, keywords: string[]) =>
  sql.unsafe`select app_public.set_contact_settings(${defaultCountry}, ${sql.array(keywords, 'text')})`;

/**
 * Merging contact `duplicate` into `survivor`, statement by statement in one transaction
 * (service.ts mergeContacts): conversations on numbers the survivor has none on move over; where
 * both talked to the same number, the duplicate's messages move into the survivor's conversation,
 * which keeps the later activity; reactions follow; the duplicate is deleted; the survivor takes its
 * missing phone/BSUID, the union of tags, the attributes it lacks, both notes and the stricter
 * consent (an opt-out on either stays).
 */
export const mergeSteps = (survivor: string, duplicate: string) => {
  const pairs = sql.fragment`
    select dc.id as from_id, sc.id as to_id
    from app_public.conversations dc
    join app_public.conversations sc on sc.phone_number_id = dc.phone_number_id and sc.contact_id = ${survivor}
    where dc.contact_id = ${duplicate}`;
  return [
    sql.unsafe`
      update app_public.messages m set conversation_id = p.to_id from (${pairs}) p where m.conversation_id = p.from_id`,
    sql.unsafe`
      update app_public.conversations sc
      set last_message_at = greatest(sc.last_message_at, dc.last_message_at),
          last_message_preview = case when dc.last_message_at > sc.last_message_at
                                      then dc.last_message_preview else sc.last_message_preview end,
          last_inbound_at = greatest(sc.last_inbound_at, dc.last_inbound_at),
          unread_count = sc.unread_count + dc.unread_count
      from (${pairs}) p join app_public.conversations dc on dc.id = p.from_id
      where sc.id = p.to_id`,
    sql.unsafe`delete from app_public.conversations where id in (select from_id from (${pairs}) p)`,
    sql.unsafe`update app_public.conversations set contact_id = ${survivor} where contact_id = ${duplicate}`,
    sql.unsafe`
      insert into app_public.message_reactions (tenant_id, message_wamid, contact_id, emoji, reaction_wamid, reacted_at)
      select r.tenant_id, r.message_wamid, ${survivor}, r.emoji, r.reaction_wamid, r.reacted_at
      from app_public.message_reactions r where r.contact_id = ${duplicate}
      on conflict do nothing`,
  ];
};

/** Deletes the duplicate and folds what it knew into the survivor (after mergeSteps). */
export const absorbDuplicate = (survivor: string, duplicate: string) =>
  sql.type(z.object({ id: z.string() }))`
    with d as (
      delete from app_public.contacts where id = ${duplicate}
      returning wa_id, bsuid, name, profile_name, username, email, notes, tags, attributes, country,
                opted_in_at, opt_in_source, opted_out_at, opt_out_source
    )
    update app_public.contacts s
    set wa_id = coalesce(s.wa_id, d.wa_id), bsuid = coalesce(s.bsuid, d.bsuid),
        name = coalesce(s.name, d.name), profile_name = coalesce(s.profile_name, d.profile_name),
        username = coalesce(s.username, d.username), email = coalesce(s.email, d.email),
        country = coalesce(s.country, d.country),
        notes = case when s.notes is null then d.notes when d.notes is null then s.notes
                     else left(s.notes || E'\n\n' || d.notes, 10000) end,
        tags = array(select distinct t from unnest(s.tags || d.tags) t order by t),
        attributes = d.attributes || s.attributes,
        opted_in_at = coalesce(s.opted_in_at, d.opted_in_at),
        opt_in_source = case when s.opted_in_at is not null then s.opt_in_source else d.opt_in_source end,
        opted_out_at = coalesce(s.opted_out_at, d.opted_out_at),
        opt_out_source = case when s.opted_out_at is not null then s.opt_out_source else d.opt_out_source end
    from d
    where s.id = ${survivor}
    returning s.id`;

/** Counts of what an erasure removes with the contact (for its log entry). */
export const erasureCounts = (id: string) =>
  sql.type(
    z.object({
      waId: z.string().nullable(),
      conversations: z.number(),
      messages: z.number(),
      media: z.number(),
    }),
  )`
    select k.wa_id as "waId",
      (select count(*)::int from app_public.conversations c where c.contact_id = k.id) as conversations,
      (select count(*)::int from app_public.messages m join app_public.conversations c on c.id = m.conversation_id
        where c.contact_id = k.id) as messages,
      (select count(*)::int from app_public.media d join app_public.messages m on m.id = d.message_id
        join app_public.conversations c on c.id = m.conversation_id where c.contact_id = k.id) as media
    from app_public.contacts k where k.id = ${id}`;

export const logErasure = (
  id: string,
  waId: string | null,
  counts: { conversations: number; messages: number; media: number },
) =>
  sql.unsafe`
    insert into app_public.contact_erasures (tenant_id, contact_id, wa_id_sha256, erased_by, conversations, messages, media)
    values (app_public.current_tenant_id(), ${id},
      ${waId ? sql.fragment`sha256(convert_to(${waId}, 'UTF8'))` : null},
      app_public.current_user_id(), ${counts.conversations}, ${counts.messages}, ${counts.media})`;

/** Everything Parley holds about one contact, as one JSON document (privacy export). */
export const contactDataExport = (id: string) =>
  sql.type(z.object({ document: z.record(z.string(), z.unknown()) }))`
    select jsonb_build_object(
      'exportedAt', now(),
      'contact', (select to_jsonb(k) - 'tenant_id' from app_public.contacts k where k.id = ${id}),
      'conversations', coalesce((
        select jsonb_agg(jsonb_build_object(
          'id', c.id, 'businessNumber', p.display_phone_number, 'status', c.status, 'createdAt', c.created_at,
          'messages', coalesce((
            select jsonb_agg(jsonb_build_object(
              'id', m.id, 'wamid', m.wamid, 'direction', m.direction, 'type', m.type, 'body', m.body,
              'content', m.content, 'status', m.status, 'occurredAt', m.occurred_at,
              'media', (select jsonb_build_object('id', d.id, 'kind', d.kind, 'mimeType', d.mime_type,
                         'filename', d.filename, 'byteSize', d.byte_size, 'status', d.status)
                        from app_public.media d where d.message_id = m.id)
            ) order by m.occurred_at, m.id)
            from app_public.messages m where m.conversation_id = c.id), '[]'),
          'notes', coalesce((
            select jsonb_agg(jsonb_build_object('body', n.body, 'createdAt', n.created_at) order by n.created_at)
            from app_public.conversation_notes n where n.conversation_id = c.id), '[]')
        ) order by c.created_at)
        from app_public.conversations c join app_public.phone_numbers p on p.id = c.phone_number_id
        where c.contact_id = ${id}), '[]'),
      'reactions', coalesce((
        select jsonb_agg(jsonb_build_object('messageWamid', r.message_wamid, 'emoji', r.emoji, 'reactedAt', r.reacted_at))
        from app_public.message_reactions r where r.contact_id = ${id}), '[]')
    ) as document
    where exists (select 1 from app_public.contacts k where k.id = ${id})`;
