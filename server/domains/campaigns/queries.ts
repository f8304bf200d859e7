import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { reachable, segmentCondition, type AudienceSegment } from './audience.ts';
import {
  audienceCountSchema,
  campaignReportSchema,
  campaignSchema,
  recipientSchema,
  segmentSchema,
} from './schemas.ts';

// ---- workspace time zone

export const tenantTimeZone = () =>
  sql.type(z.object({ timeZone: z.string() }))`select app_public.tenant_time_zone() as "timeZone"`;

export const setTenantTimeZone = (zone: string) =>
  sql.unsafe`select app_public.set_tenant_time_zone(${zone})`;

// ---- segments

const segmentColumns = sql.fragment`s.id, s.name, s.kind, s.filter, s.created_at as "createdAt"`;

export const listSegments = () => sql.type(segmentSchema)`
  select ${segmentColumns} from app_public.segments s order by lower(s.name), s.id`;

export const segmentById = (id: string) => sql.type(segmentSchema)`
  select ${segmentColumns} from app_public.segments s where s.id = ${id}`;

export const segmentNameTaken = (name: string, exceptId?: string) =>
  sql.unsafe`select 1 from app_public.segments where lower(name) = lower(${name})
    ${exceptId ? sql.fragment`and id <> ${exceptId}` : sql.fragment``}`;

export const insertSegment = (input: {
  tenantId: string;
  name: string;
  kind: 'filter' | 'list';
  filter: object;
}) =>
  sql.type(segmentSchema)`
    insert into app_public.segments as s (tenant_id, name, kind, filter)
    values (${input.tenantId}, ${input.name}, ${input.kind}, ${sql.jsonb(input.filter)})
    returning ${segmentColumns}`;

/** A filter segment's new name and conditions (a list's members are its upload: replaced by a new list). */
export const updateFilterSegment = (id: string, input: { name: string; filter: object }) =>
  sql.type(segmentSchema)`
    update app_public.segments as s set name = ${input.name}, filter = ${sql.jsonb(input.filter)}, updated_at = now()
    where s.id = ${id} and s.kind = 'filter'
    returning ${segmentColumns}`;

export const deleteSegment = (id: string) =>
  sql.type(z.object({ id: z.string() }))`delete from app_public.segments where id = ${id} returning id`;

/** An uploaded list's numbers become contacts (new ones created) and the list's members. */
export const addListMembers = (tenantId: string, segmentId: string, waIds: string[]) =>
  sql.type(z.object({ members: z.number() }))`
    with given as (select distinct w from unnest(${sql.array(waIds, 'text')}::text[]) as w),
    created as (
      insert into app_public.contacts (tenant_id, wa_id)
      select ${tenantId}::uuid, w from given
      on conflict (tenant_id, wa_id) do nothing
      returning id
    ),
    members as (
      insert into app_public.segment_members (tenant_id, segment_id, contact_id)
      select ${tenantId}::uuid, ${segmentId}::uuid, k.id from app_public.contacts k join given on given.w = k.wa_id
      union all
      select ${tenantId}::uuid, ${segmentId}::uuid, id from created
      on conflict do nothing
      returning contact_id
    )
    select count(*)::int as members from members`;

/** How many an audience reaches, and how many the rules leave out. */
export const audienceCount = (segment: AudienceSegment) => sql.type(audienceCountSchema)`
  select count(*) filter (where ${reachable} and k.not_on_whatsapp_at is null)::int as recipients,
         count(*) filter (where k.opted_out_at is not null)::int as "optedOut",
         count(*) filter (where ${reachable} and k.not_on_whatsapp_at is not null)::int as "notOnWhatsApp",
         count(*) filter (where k.wa_id is null)::int as "noPhone"
  from app_public.contacts k
  where ${segmentCondition(segment)}`;

// ---- campaigns

const campaignColumns = sql.fragment`
  c.id, c.name, c.status, c.status_reason as "statusReason", c.phone_number_id as "phoneNumberId",
  p.display_phone_number as "businessNumber", p.throughput_mps as "throughputMps",
  c.template_id as "templateId", t.name as "templateName", t.language as "templateLanguage",
  t.category as "templateCategory", c.segment_id as "segmentId", g.name as "segmentName",
  c.include_not_on_whatsapp as "includeNotOnWhatsApp", c.variables, c.header_media_url as "headerMediaUrl",
  c.scheduled_at as "scheduledAt", c.window_start_minute as "windowStartMinute",
  c.window_end_minute as "windowEndMinute", c.max_rate as "maxRate", c.recipient_count as "recipientCount",
  c.started_at as "startedAt", c.finished_at as "finishedAt", c.created_at as "createdAt"`;

const campaignJoins = sql.fragment`
  from app_public.campaigns c
  join app_public.phone_numbers p on p.id = c.phone_number_id
  join app_public.templates t on t.id = c.template_id
  left join app_public.segments g on g.id = c.segment_id`;

/** Newest first; `cursor` is the last id of the previous page (the REST mirror pages with it). */
export const listCampaigns = (page: { cursor?: string | undefined; limit?: number | undefined } = {}) =>
  sql.type(campaignSchema)`
    select ${campaignColumns} ${campaignJoins}
    ${
      page.cursor
        ? sql.fragment`where (c.created_at, c.id) < (select p.created_at, p.id from app_public.campaigns p where p.id = ${page.cursor})`
        : sql.fragment``
    }
    order by c.created_at desc, c.id desc limit ${page.limit ?? 200}`;

export const campaignById = (id: string) => sql.type(campaignSchema)`
  select ${campaignColumns} ${campaignJoins} where c.id = ${id}`;

/** The number, with the template on its channel (null when not there), for a new campaign. */
export const campaignSendingParts = (phoneNumberId: string, templateId: string) =>
  sql.type(
    z.object({
      phoneNumberId: z.string(),
      template: z
        .object({ name: z.string(), language: z.string(), status: z.string(), components: z.unknown() })
        .nullable(),
    }),
  )`
    select p.id as "phoneNumberId",
           (select jsonb_build_object('name', t.name, 'language', t.language, 'status', t.status, 'components', t.components)
            from app_public.templates t where t.id = ${templateId} and t.channel_id = p.channel_id) as template
    from app_public.phone_numbers p where p.id = ${phoneNumberId}`;

export function insertCampaign(input: {
  tenantId: string;
  name: string;
  phoneNumberId: string;
  templateId: string;
  segmentId: string;
  includeNotOnWhatsApp: boolean;
  variables: object;
  headerMediaUrl: string | null;
  /** Local time in the workspace's zone (no offset), or null for now. */
  scheduledAt: string | null;
  window: { startMinute: number; endMinute: number } | null;
  maxRate: number | null;
  createdBy: string | null;
}) {
  const scheduled = input.scheduledAt
    ? sql.fragment`(${input.scheduledAt}::timestamp at time zone app_public.tenant_time_zone())`
    : sql.fragment`null`;
  return sql.type(z.object({ id: z.string(), startAt: z.string(), inPast: z.boolean() }))`
    insert into app_public.campaigns
      (tenant_id, name, phone_number_id, template_id, segment_id, include_not_on_whatsapp, variables,
       header_media_url, scheduled_at, window_start_minute, window_end_minute, max_rate, created_by)
    values (${input.tenantId}, ${input.name}, ${input.phoneNumberId}, ${input.templateId}, ${input.segmentId},
            ${input.includeNotOnWhatsApp}, ${sql.jsonb(input.variables)}, ${input.headerMediaUrl},
            ${scheduled}, ${input.window?.startMinute ?? null}, ${input.window?.endMinute ?? null},
            ${input.maxRate}, ${input.createdBy})
    returning id, app_public.iso_time(coalesce(scheduled_at, now())) as "startAt",
              coalesce(scheduled_at < now() - interval '1 minute', false) as "inPast"`;
}

/** The campaign's row, locked: every change of its state (runner ticks, pause, cancel) goes one at a time. */
export const lockCampaign = (id: string) =>
  sql.type(
    z.object({
      id: z.string(),
      status: z.string(),
      startedAt: z.string().nullable(),
      scheduledInSeconds: z.number().nullable(),
    }),
  )`
    select id, status, started_at as "startedAt",
           extract(epoch from scheduled_at - now())::float8 as "scheduledInSeconds"
    from app_public.campaigns where id = ${id} for update`;

export const setCampaignStatus = (
  id: string,
  status: string,
  options: { reason?: string | null; finished?: boolean; started?: boolean } = {},
) => sql.unsafe`
  update app_public.campaigns
  set status = ${status}, status_reason = ${options.reason ?? null},
      finished_at = case when ${options.finished ?? false} then now() else finished_at end,
      started_at = case when ${options.started ?? false} then coalesce(started_at, now()) else started_at end
  where id = ${id}`;

export const withdrawMessages = (campaignId: string, to: 'pending' | 'cancelled') =>
  sql.type(z.object({ taken: z.number() }))`
    select app_public.withdraw_campaign_messages(${campaignId}, ${to}) as taken`;

export const announceCampaign = (campaignId: string) =>
  sql.unsafe`select app_public.record_realtime_event('campaign.progress', array[${campaignId}::uuid])`;

// ---- reports

export const campaignReport = (campaignId: string) => sql.type(
  campaignReportSchema.omit({ failures: true, pricing: true }),
)`
  select c.id as "campaignId", c.status,
         count(r.contact_id)::int as total,
         count(*) filter (where r.status = 'pending')::int as pending,
         count(*) filter (where r.status = 'queued')::int as queued,
         count(*) filter (where r.status in ('sent', 'delivered', 'read'))::int as sent,
         count(*) filter (where r.status in ('delivered', 'read'))::int as delivered,
         count(*) filter (where r.status = 'read')::int as read,
         count(r.replied_at)::int as replied,
         count(*) filter (where r.status = 'failed')::int as failed,
         count(*) filter (where r.status = 'skipped')::int as skipped,
         count(*) filter (where r.status = 'cancelled')::int as cancelled
  from app_public.campaigns c
  left join app_public.campaign_recipients r on r.campaign_id = c.id
  where c.id = ${campaignId}
  group by c.id, c.status`;

export const campaignFailures = (campaignId: string) =>
  sql.type(z.object({ code: z.number().nullable(), message: z.string().nullable(), count: z.number() }))`
    select r.error_code as code, min(r.error_message) as message, count(*)::int as count
    from app_public.campaign_recipients r
    where r.campaign_id = ${campaignId} and r.status in ('failed', 'skipped')
    group by r.error_code order by count(*) desc, r.error_code nulls last`;

/** Messages Meta took, by the pricing category its statuses gave (else the template's category). */
export const campaignPricing = (campaignId: string) =>
  sql.type(z.object({ category: z.string(), messages: z.number() }))`
    select coalesce(
             (select s.pricing->>'category' from app_public.message_statuses s
              where s.wamid = m.wamid and s.pricing ? 'category' order by s.occurred_at desc limit 1),
             lower(t.category), 'unknown') as category,
           count(*)::int as messages
    from app_public.campaign_recipients r
    join app_public.campaigns c on c.id = r.campaign_id
    join app_public.templates t on t.id = c.template_id
    join app_public.messages m on m.id = r.message_id
    where r.campaign_id = ${campaignId} and r.status in ('sent', 'delivered', 'read')
    group by 1 order by 2 desc`;

export function campaignRecipients(
  campaignId: string,
  options: { status?: string | undefined; limit: number; afterContactId?: string },
) {
  const status: FragmentSqlToken = options.status
    ? sql.fragment`and r.status = ${options.status}`
    : sql.fragment``;
  const after: FragmentSqlToken = options.afterContactId
    ? sql.fragment`and r.contact_id > ${options.afterContactId}`
    : sql.fragment``;
  return sql.type(recipientSchema)`
    select r.contact_id as "contactId", coalesce(k.name, k.profile_name) as name, k.wa_id as "waId",
           r.status, r.error_code as "errorCode", r.error_message as "errorMessage", r.message_id as "messageId",
           r.queued_at as "queuedAt", r.replied_at as "repliedAt"
    from app_public.campaign_recipients r
    join app_public.contacts k on k.id = r.contact_id
    where r.campaign_id = ${campaignId} ${status} ${after}
    order by r.contact_id
    limit ${options.limit}`;
}
