import { sql } from 'slonik';
import { z } from 'zod';
import type { Template } from '../../whatsapp/graph-schemas.ts';

export const templateRowSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  channelName: z.string(),
  metaTemplateId: z.string().nullable(),
  name: z.string(),
  language: z.string(),
  category: z.string().nullable(),
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED … as Meta says; DELETED once Meta no longer lists it. */
  status: z.string(),
  qualityScore: z.string().nullable(),
  /** Meta's reason for a rejection, in its words. */
  rejectedReason: z.string().nullable(),
  components: z.unknown(),
  updatedAt: z.string(),
});
export type TemplateRow = z.infer<typeof templateRowSchema>;

export interface TemplateFilter {
  channelId?: string | undefined;
  /** Templates usable from this number (Meta's phone_number_id, as conversations carry it): its channel's. */
  phoneNumberId?: string | undefined;
  status?: string | undefined;
  category?: string | undefined;
  search?: string | undefined;
  includeDeleted?: boolean | undefined;
}

export function templateList(filter: TemplateFilter) {
  const conditions = [
    filter.channelId ? sql.fragment`t.channel_id = ${filter.channelId}` : null,
    filter.phoneNumberId
      ? sql.fragment`t.channel_id in (select p.channel_id from app_public.phone_numbers p where p.phone_number_id = ${filter.phoneNumberId})`
      : null,
    filter.status ? sql.fragment`t.status = ${filter.status}` : null,
    filter.category ? sql.fragment`t.category = ${filter.category}` : null,
    filter.search ? sql.fragment`strpos(t.name, ${filter.search.toLowerCase()}) > 0` : null,
    filter.includeDeleted ? null : sql.fragment`t.status <> 'DELETED'`,
  ].filter((condition) => condition !== null);
  const where =
    conditions.length > 0 ? sql.fragment`where ${sql.join(conditions, sql.fragment` and `)}` : sql.fragment``;
  return sql.type(templateRowSchema)`
    select t.id, t.channel_id as "channelId", c.name as "channelName", t.meta_template_id as "metaTemplateId",
           t.name, t.language, t.category, t.status, t.quality_score as "qualityScore",
           t.rejected_reason as "rejectedReason", t.components, t.updated_at as "updatedAt"
    from app_public.templates t join app_public.channels c on c.id = t.channel_id
    ${where}
    order by t.name, t.language
  `;
}

/** Meta's quality score comes as {score, date} from the list and as a bare word from webhooks. */
function qualityOf(template: Template): string | null {
  const quality = template.quality_score as { score?: string } | string | undefined;
  if (!quality) return null;
  return typeof quality === 'string' ? quality : (quality.score ?? null);
}

function rejectionOf(template: Template): string | null {
  if (template.status !== 'REJECTED') return null;
  const info = template.rejection_info as { reason?: string } | undefined;
  const reason = info?.reason ?? (template.rejected_reason as string | undefined);
  return reason && reason !== 'NONE' ? reason : null;
}

/**
 * Every template Meta listed for the channel, in one statement: new ones added, known ones brought up
 * to date (status, quality, category, components, rejection reason).
 */
export function upsertTemplates(tenantId: string, channelId: string, templates: Template[]) {
  const rows = templates.map((template) => ({
    meta_template_id: template.id,
    name: template.name,
    language: template.language,
    category: template.category,
    status: template.status,
    quality_score: qualityOf(template),
    rejected_reason: rejectionOf(template),
    components: template.components,
  }));
  return sql.unsafe`
    insert into app_public.templates (tenant_id, channel_id, meta_template_id, name, language, category, status, quality_score, rejected_reason, components)
    select ${tenantId}, ${channelId}, r.meta_template_id, r.name, r.language, r.category, r.status, r.quality_score, r.rejected_reason, coalesce(r.components, '[]')
    from jsonb_to_recordset(${sql.jsonb(rows)}) as r(meta_template_id text, name text, language text, category text, status text,
                                                      quality_score text, rejected_reason text, components jsonb)
    on conflict (tenant_id, channel_id, name, language) do update set
      meta_template_id = excluded.meta_template_id,
      category = excluded.category,
      status = excluded.status,
      quality_score = coalesce(excluded.quality_score, templates.quality_score),
      rejected_reason = excluded.rejected_reason,
      components = excluded.components
  `;
}

/** Templates of the channel that Meta no longer lists: deleted at Meta (kept, so sent messages keep their name). */
export function markMissingDeleted(channelId: string, seenMetaIds: string[]) {
  return sql.type(z.object({ name: z.string() }))`
    update app_public.templates set status = 'DELETED'
    where channel_id = ${channelId} and status <> 'DELETED'
      and (meta_template_id is null or not (meta_template_id = any(${sql.array(seenMetaIds, 'text')})))
    returning name
  `;
}

export const templateChannelSchema = z.object({
  id: z.string(),
  wabaId: z.string(),
  graphApiVersion: z.string(),
  graphApiBaseUrl: z.string().nullable(),
});

/** Channels whose templates can be synced (all of the tenant's, or one). */
export function templateChannels(channelId?: string) {
  return sql.type(templateChannelSchema)`
    select id, waba_id as "wabaId", graph_api_version as "graphApiVersion", graph_api_base_url as "graphApiBaseUrl"
    from app_public.channels
    where status <> 'disabled' ${channelId ? sql.fragment`and id = ${channelId}` : sql.fragment``}
    order by created_at
  `;
}

/** What deleting a template at Meta needs: its channel, name and hsm id. */
export const templateDeleteTarget = (id: string) =>
  sql.type(z.object({ channelId: z.string(), name: z.string(), metaTemplateId: z.string().nullable() }))`
    select channel_id as "channelId", name, meta_template_id as "metaTemplateId"
    from app_public.templates where id = ${id}
  `;

/** Marks a template deleted: every language of its name, or only the one with this id. */
export function markTemplateDeleted(target: {
  channelId: string;
  name: string;
  onlyId?: string | undefined;
}) {
  return sql.unsafe`
    update app_public.templates set status = 'DELETED'
    where channel_id = ${target.channelId} and name = ${target.name}
      ${target.onlyId ? sql.fragment`and id = ${target.onlyId}` : sql.fragment``}
  `;
}

/** A conversation (null when not found) and its account's template of this name and language, if any. */
export const conversationTemplate = (conversationId: string, name: string, language: string) =>
  sql.type(
    z.object({
      template: z
        .object({ name: z.string(), language: z.string(), status: z.string(), components: z.unknown() })
        .nullable(),
    }),
  )`
    select (select jsonb_build_object('name', t.name, 'language', t.language, 'status', t.status, 'components', t.components)
            from app_public.templates t
            where t.channel_id = p.channel_id and t.name = ${name} and t.language = ${language}) as template
    from app_public.conversations c
    join app_public.phone_numbers p on p.id = c.phone_number_id
    where c.id = ${conversationId}
  `;
