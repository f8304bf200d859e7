import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { rest } from '../../trpc/rest.ts';
import { mutableRows } from '../../db/rows.ts';
import { listCampaigns, listSegments, setTenantTimeZone, tenantTimeZone } from './queries.ts';
import {
  audienceCountSchema,
  campaignDraftSchema,
  campaignReportSchema,
  campaignSchema,
  recipientSchema,
  segmentDraftSchema,
  segmentEditSchema,
  segmentSchema,
  timeZoneSchema,
} from './schemas.ts';
import { segmentFilterSchema } from './audience.ts';
import {
  cancelCampaign,
  countSegment,
  createCampaign,
  createSegment,
  editSegment,
  getCampaign,
  listRecipients,
  pauseCampaign,
  previewAudience,
  recipientsCsv,
  removeSegment,
  reportCampaign,
  resumeCampaign,
} from './service.ts';

const byId = z.object({ id: z.uuid() });

/** Saved audiences: filters over contacts or uploaded lists. Campaigns are managed by admins. */
export const segmentRouter = router({
  list: tenantProcedure('admin')
    .output(z.array(segmentSchema))
    .query(({ ctx }) => ctx.withTenant((tx) => mutableRows(tx.any(listSegments())))),

  create: tenantProcedure('admin')
    .input(segmentDraftSchema)
    .output(z.object({ segment: segmentSchema, invalid: z.array(z.string()) }))
    .mutation(({ ctx, input }) => createSegment(ctx, input)),

  update: tenantProcedure('admin')
    .input(segmentEditSchema)
    .output(segmentSchema)
    .mutation(({ ctx, input }) => editSegment(ctx, input)),

  delete: tenantProcedure('admin')
    .input(byId)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeSegment(ctx, input.id);
      return { ok: true as const };
    }),

  /** The live count of a saved audience: who it reaches now, and who the rules leave out. */
  count: tenantProcedure('admin')
    .input(byId)
    .output(audienceCountSchema)
    .query(({ ctx, input }) => countSegment(ctx, input.id)),

  /** The count of a filter being edited, before it is saved. */
  preview: tenantProcedure('admin')
    .input(z.object({ filter: segmentFilterSchema }))
    .output(audienceCountSchema)
    .query(({ ctx, input }) => previewAudience(ctx, { kind: 'filter', filter: input.filter })),
});

export const campaignRouter = router({
  list: tenantProcedure('admin')
    .meta(
      rest(
        'GET',
        '/campaigns',
        'Campaigns',
        'List campaigns',
        "Newest first. Cursor pagination: pass the last row's `id` as `cursor` for the next page; an empty page is the end.",
      ),
    )
    .input(
      z
        .object({
          /** The last id of the previous page. */
          cursor: z.uuid().optional(),
          /** Absent: the latest 200. */
          limit: z.number().int().min(1).max(200).optional(),
        })
        .optional(),
    )
    .output(z.array(campaignSchema))
    .query(({ ctx, input }) => ctx.withTenant((tx) => mutableRows(tx.any(listCampaigns(input))))),

  byId: tenantProcedure('admin')
    .meta(rest('GET', '/campaigns/{id}', 'Campaigns', 'Get a campaign'))
    .input(byId)
    .output(campaignSchema)
    .query(({ ctx, input }) => getCampaign(ctx, input.id)),

  /** Creates and schedules a campaign (now, or at a local time in the workspace's time zone). */
  create: tenantProcedure('admin')
    .meta(rest('POST', '/campaigns', 'Campaigns', 'Create and schedule a campaign'))
    .input(campaignDraftSchema)
    .output(campaignSchema)
    .mutation(({ ctx, input }) => createCampaign(ctx, input)),

  pause: tenantProcedure('admin')
    .meta(rest('POST', '/campaigns/{id}/pause', 'Campaigns', 'Pause a campaign'))
    .input(byId)
    .output(campaignSchema)
    .mutation(({ ctx, input }) => pauseCampaign(ctx, input.id)),

  resume: tenantProcedure('admin')
    .meta(rest('POST', '/campaigns/{id}/resume', 'Campaigns', 'Resume a paused campaign'))
    .input(byId)
    .output(campaignSchema)
    .mutation(({ ctx, input }) => resumeCampaign(ctx, input.id)),

  cancel: tenantProcedure('admin')
    .meta(rest('POST', '/campaigns/{id}/cancel', 'Campaigns', 'Cancel a campaign'))
    .input(byId)
    .output(campaignSchema)
    .mutation(({ ctx, input }) => cancelCampaign(ctx, input.id)),

  report: tenantProcedure('admin')
    .meta(rest('GET', '/campaigns/{id}/report', 'Campaigns', "A campaign's report"))
    .input(byId)
    .output(campaignReportSchema.extend({ costUsd: z.number() }))
    .query(({ ctx, input }) => reportCampaign(ctx, input.id)),

  recipients: tenantProcedure('admin')
    .input(
      byId.extend({
        status: z
          .enum(['pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped', 'cancelled'])
          .optional(),
      }),
    )
    .output(z.array(recipientSchema))
    .query(({ ctx, input }) => listRecipients(ctx, input.id, input.status)),

  /** Every recipient with its status as a CSV file's text. */
  exportRecipients: tenantProcedure('admin')
    .input(byId)
    .output(z.object({ filename: z.string(), csv: z.string() }))
    .query(({ ctx, input }) => recipientsCsv(ctx, input.id)),

  /** The workspace's time zone, in which campaigns are scheduled. */
  timeZone: tenantProcedure('viewer')
    .output(z.object({ timeZone: z.string() }))
    .query(({ ctx }) => ctx.withTenant((tx) => tx.one(tenantTimeZone()))),

  setTimeZone: tenantProcedure('admin')
    .input(z.object({ timeZone: timeZoneSchema }))
    .output(z.object({ timeZone: z.string() }))
    .mutation(({ ctx, input }) =>
      ctx.withTenant(async (tx) => {
        await tx.query(setTenantTimeZone(input.timeZone));
        return tx.one(tenantTimeZone());
      }),
    ),
});
