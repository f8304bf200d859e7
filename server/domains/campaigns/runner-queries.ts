import { sql } from 'slonik';
import { z } from 'zod';
import { audienceCondition, type AudienceSegment } from './audience.ts';

/** What one runner tick needs of its campaign (read after lockCampaign). */
const runnerCampaignSchema = z.object({
  tenantId: z.string(),
  phoneNumberId: z.string(),
  throughputMps: z.number(),
  maxRate: z.number().nullable(),
  releasedAgoSeconds: z.number().nullable(),
  templateStatus: z.string(),
  template: z.object({ name: z.string(), language: z.string(), components: z.unknown() }),
  segment: z.object({ id: z.string(), kind: z.enum(['filter', 'list']), filter: z.unknown() }).nullable(),
  includeNotOnWhatsApp: z.boolean(),
  variables: z.unknown(),
  headerMediaUrl: z.string().nullable(),
  windowStartMinute: z.number().nullable(),
  windowEndMinute: z.number().nullable(),
  expandCursor: z.string().nullable(),
  expanded: z.boolean(),
});
export type RunnerCampaign = z.infer<typeof runnerCampaignSchema>;

export const runnerCampaign = (id: string) =>
  sql.type(runnerCampaignSchema)`
    select c.tenant_id as "tenantId", c.phone_number_id as "phoneNumberId", p.throughput_mps as "throughputMps",
           c.max_rate as "maxRate", extract(epoch from now() - c.released_at)::float8 as "releasedAgoSeconds",
           t.status as "templateStatus",
           jsonb_build_object('name', t.name, 'language', t.language, 'components', t.components) as template,
           (select jsonb_build_object('id', g.id, 'kind', g.kind, 'filter', g.filter)
            from app_public.segments g where g.id = c.segment_id) as segment,
           c.include_not_on_whatsapp as "includeNotOnWhatsApp", c.variables, c.header_media_url as "headerMediaUrl",
           c.window_start_minute as "windowStartMinute", c.window_end_minute as "windowEndMinute",
           c.expand_cursor as "expandCursor", c.expanded_at is not null as expanded
    from app_public.campaigns c
    join app_public.phone_numbers p on p.id = c.phone_number_id
    join app_public.templates t on t.id = c.template_id
    where c.id = ${id}`;

/**
 * The next `limit` contacts of the audience (in id order after the cursor) become recipients; a
 * contact already listed is left as it is (the primary key), so a retried batch adds nobody twice.
 */
export const expandRecipients = (input: {
  tenantId: string;
  campaignId: string;
  segment: AudienceSegment;
  includeNotOnWhatsApp: boolean;
  cursor: string | null;
  limit: number;
}) =>
  sql.type(z.object({ found: z.number(), last: z.string().nullable(), inserted: z.number() }))`
    with batch as (
      select k.id from app_public.contacts k
      where ${audienceCondition(input.segment, input.includeNotOnWhatsApp)}
        and (${input.cursor}::uuid is null or k.id > ${input.cursor}::uuid)
      order by k.id
      limit ${input.limit}
    ), added as (
      insert into app_public.campaign_recipients (tenant_id, campaign_id, contact_id)
      select ${input.tenantId}::uuid, ${input.campaignId}::uuid, id from batch
      on conflict do nothing
      returning contact_id
    )
    select (select count(*)::int from batch) as found,
           (select b.id from batch b order by b.id desc limit 1) as last,
           (select count(*)::int from added) as inserted`;

export const recordExpansion = (
  campaignId: string,
  progress: { last: string | null; inserted: number; done: boolean },
) => sql.unsafe`
  update app_public.campaigns
  set expand_cursor = coalesce(${progress.last}::uuid, expand_cursor),
      recipient_count = recipient_count + ${progress.inserted},
      expanded_at = case when ${progress.done} then now() else expanded_at end
  where id = ${campaignId}`;

/** Recipients handed to the sender and not yet answered by Meta (their messages are pending). */
export const inFlight = (campaignId: string) =>
  sql.type(z.object({ queued: z.number(), pending: z.number(), nextNotBefore: z.number().nullable() }))`
    select count(*) filter (where status = 'queued')::int as queued,
           count(*) filter (where status = 'pending')::int as pending,
           extract(epoch from min(not_before) filter (where status = 'pending' and not_before > now()) - now())::float8
             as "nextNotBefore"
    from app_public.campaign_recipients
    where campaign_id = ${campaignId} and status in ('pending', 'queued')`;

export const tierRoom = (phoneNumberId: string) =>
  sql.type(z.object({ room: z.number().nullable() }))`
    select app_public.messaging_tier_room(${phoneNumberId}) as room`;

export const recipientRow = z.object({
  contactId: z.string(),
  waId: z.string(),
  /** Every column of the contact (fields and custom attributes), for the variable mapping. */
  contact: z.record(z.string(), z.unknown()),
});
export type RecipientRow = z.infer<typeof recipientRow>;

/** Due pending recipients, locked (a concurrent tick skips them). */
export const dueRecipients = (campaignId: string, limit: number) => sql.type(recipientRow)`
  select r.contact_id as "contactId", k.wa_id as "waId", to_jsonb(k) as contact
  from app_public.campaign_recipients r
  join app_public.contacts k on k.id = r.contact_id
  where r.campaign_id = ${campaignId} and r.status = 'pending' and (r.not_before is null or r.not_before <= now())
    and k.wa_id is not null
  limit ${limit}
  for update of r skip locked`;

export const deferRecipients = (campaignId: string, deferred: { contactId: string; notBefore: string }[]) =>
  sql.unsafe`
    update app_public.campaign_recipients r set not_before = d.at, updated_at = now()
    from unnest(${sql.array(
      deferred.map((one) => one.contactId),
      'uuid',
    )}::uuid[], ${sql.array(
      deferred.map((one) => one.notBefore),
      'text',
    )}::timestamptz[]) as d(contact_id, at)
    where r.campaign_id = ${campaignId} and r.contact_id = d.contact_id`;

export const skipRecipients = (campaignId: string, skipped: { contactId: string; reason: string }[]) =>
  sql.unsafe`
    update app_public.campaign_recipients r set status = 'skipped', error_message = d.reason, updated_at = now()
    from unnest(${sql.array(
      skipped.map((one) => one.contactId),
      'uuid',
    )}::uuid[], ${sql.array(
      skipped.map((one) => one.reason),
      'text',
    )}::text[]) as d(contact_id, reason)
    where r.campaign_id = ${campaignId} and r.contact_id = d.contact_id and r.status = 'pending'`;

/**
 * Each recipient's conversation on the number (created resolved when new, so a campaign does not fill
 * the open inbox; a reply opens it), tagged with the campaign and moved as a sent message moves it.
 */
export const campaignConversations = (input: {
  tenantId: string;
  phoneNumberId: string;
  campaignId: string;
  contactIds: string[];
  previews: string[];
}) =>
  sql.type(z.object({ id: z.string(), contactId: z.string() }))`
    insert into app_public.conversations as v
      (tenant_id, phone_number_id, contact_id, status, campaign_id, last_message_at, last_message_preview)
    select ${input.tenantId}::uuid, ${input.phoneNumberId}::uuid, u.contact_id, 'resolved', ${input.campaignId}::uuid, now(), left(u.preview, 200)
    from unnest(${sql.array(input.contactIds, 'uuid')}::uuid[], ${sql.array(input.previews, 'text')}::text[])
      as u(contact_id, preview)
    on conflict (tenant_id, phone_number_id, contact_id) do update
      set campaign_id = excluded.campaign_id, last_message_at = excluded.last_message_at,
          last_message_preview = excluded.last_message_preview, unread_count = 0
    returning v.id, v.contact_id as "contactId"`;

/** The template messages, pending: the outbox entries message.send picks up (as queueOutboundMessage writes them). */
export const insertCampaignMessages = (input: {
  tenantId: string;
  conversationIds: string[];
  bodies: string[];
  contents: object[];
  rendered: object[];
}) =>
  sql.type(z.object({ id: z.string(), conversationId: z.string() }))`
    insert into app_public.messages
      (tenant_id, conversation_id, direction, type, body, content, rendered, status, occurred_at)
    select ${input.tenantId}::uuid, u.conversation_id, 'outbound', 'template', u.body, u.content, u.rendered, 'pending', now()
    from unnest(${sql.array(input.conversationIds, 'uuid')}::uuid[], ${sql.array(input.bodies, 'text')}::text[],
                ${sql.array(
                  input.contents.map((one) => JSON.stringify(one)),
                  'text',
                )}::jsonb[], ${sql.array(
                  input.rendered.map((one) => JSON.stringify(one)),
                  'text',
                )}::jsonb[])
      as u(conversation_id, body, content, rendered)
    returning id, conversation_id as "conversationId"`;

export const markQueued = (campaignId: string, queued: { contactId: string; messageId: string }[]) =>
  sql.unsafe`
    update app_public.campaign_recipients r
    set status = 'queued', message_id = q.message_id, queued_at = now(), not_before = null, updated_at = now()
    from unnest(${sql.array(
      queued.map((one) => one.contactId),
      'uuid',
    )}::uuid[], ${sql.array(
      queued.map((one) => one.messageId),
      'uuid',
    )}::uuid[]) as q(contact_id, message_id)
    where r.campaign_id = ${campaignId} and r.contact_id = q.contact_id and r.status = 'pending'`;

/** The max-rate bucket: `count` more released now (released_at runs ahead by count / rate). */
export const recordRelease = (campaignId: string, seconds: number) => sql.unsafe`
  update app_public.campaigns
  set released_at = greatest(coalesce(released_at, now()), now()) + make_interval(secs => ${seconds})
  where id = ${campaignId}`;
