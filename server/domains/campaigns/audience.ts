import { sql, type SqlToken } from 'slonik';
import type { z } from 'zod';
import { contactFilterCondition } from '../contacts/queries.ts';
import { contactFilterSchema } from '../contacts/schemas.ts';

/**
 * Which contacts an audience reaches. A filter segment's conditions are the contacts domain's
 * (contactFilterSchema / contactFilterCondition); a list segment is its uploaded members. Whatever the
 * audience: contacts without a phone number and opted-out contacts are never included, and contacts
 * Meta reported as not on WhatsApp (131026) only when the campaign insists.
 */
/** A filter segment's conditions are the contacts list's own filters (tags, attributes, opt-in, country…). */
export const segmentFilterSchema = contactFilterSchema;
export type SegmentFilter = z.infer<typeof segmentFilterSchema>;

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
  return parsed.success ? contactFilterCondition(parsed.data, 'k') : sql.fragment`false`;
}

/** Reachable: a phone number, not opted out. */
export const reachable = sql.fragment`k.wa_id is not null and k.opted_out_at is null`;

/** The contacts a campaign sends to: the segment's, reachable, and on WhatsApp unless insisted. */
export function audienceCondition(segment: AudienceSegment, includeNotOnWhatsApp: boolean): SqlToken {
  return sql.fragment`${segmentCondition(segment)} and ${reachable}
    and (${includeNotOnWhatsApp} or k.not_on_whatsapp_at is null)`;
}
