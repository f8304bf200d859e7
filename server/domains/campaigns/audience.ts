import { sql, type FragmentSqlToken, type SqlToken } from 'slonik';
import { z } from 'zod';

/**
 * Which contacts an audience reaches. A filter segment's conditions are the contacts domain's
 * (contactFilterSchema / contactFilterCondition); a list segment is its uploaded members. Whatever the
 * audience: contacts without a phone number and opted-out contacts are never included, and contacts
 * Meta reported as not on WhatsApp (131026) only when the campaign insists.
 */
export const segmentFilterSchema = z
  .object({
    /** Customers who wrote within this many days. */
    lastInboundWithinDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
export type SegmentFilter = z.infer<typeof segmentFilterSchema>;

/** The filter's condition on contacts `k`. */
export function segmentFilterCondition(filter: SegmentFilter): SqlToken {
  const conditions: FragmentSqlToken[] = [];
  if (filter.lastInboundWithinDays !== undefined) {
    conditions.push(sql.fragment`exists (
      select 1 from app_public.conversations v
      where v.contact_id = k.id and v.last_inbound_at > now() - make_interval(days => ${filter.lastInboundWithinDays}))`);
  }
  return conditions.length === 0 ? sql.fragment`true` : sql.join(conditions, sql.fragment` and `);
}

export interface AudienceSegment {
  id: string;
  kind: 'filter' | 'list';
  filter: unknown;
}

/** The segment's own condition on contacts `k` (before the exclusions every campaign applies). */
export function segmentCondition(segment: AudienceSegment): SqlToken {
  if (segment.kind === 'list') {
    return sql.fragment`exists (select 1 from app_public.segment_members s
                                where s.segment_id = ${segment.id} and s.contact_id = k.id)`;
  }
  const parsed = segmentFilterSchema.safeParse(segment.filter);
  return parsed.success ? segmentFilterCondition(parsed.data) : sql.fragment`false`;
}

/** Reachable: a phone number, not opted out. */
export const reachable = sql.fragment`k.wa_id is not null`;

/** The contacts a campaign sends to: the segment's, reachable, and on WhatsApp unless insisted. */
export function audienceCondition(segment: AudienceSegment, includeNotOnWhatsApp: boolean): SqlToken {
  return sql.fragment`${segmentCondition(segment)} and ${reachable}
    and (${includeNotOnWhatsApp} or k.not_on_whatsapp_at is null)`;
}
