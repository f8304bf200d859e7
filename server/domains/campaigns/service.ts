import { TRPCError } from '@trpc/server';
import { stringify } from 'csv-stringify/sync';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Tx } from '../../db/tx.ts';
import type { Outbox } from '../../jobs/outbox.ts';
import { templateNeeds } from '../templates/render.ts';
import {
  addListMembers,
  announceCampaign,
  audienceCount,
  campaignById,
  campaignFailures,
  campaignPricing,
  campaignRecipients,
  campaignReport,
  campaignSendingParts,
  deleteSegment,
  insertCampaign,
  insertSegment,
  lockCampaign,
  segmentById,
  segmentNameTaken,
  setCampaignStatus,
  updateFilterSegment,
  withdrawMessages,
} from './queries.ts';
import type { CampaignDraft, CampaignReport, recipientSchema, segmentDraftSchema } from './schemas.ts';
import type { segmentFilterSchema } from './audience.ts';
import type { z } from 'zod';

type TenantCtx = {
  tenantId: string;
  actor: { userId: string | null };
  withTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  withOutbox: <T>(fn: (tx: Tx, outbox: Outbox) => Promise<T>) => Promise<T>;
};

const noSuchCampaign = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such campaign.' });
const noSuchSegment = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such audience.' });

/** campaign.run for this campaign, now or when it is due. */
export const runJob = (tenantId: string, campaignId: string) => ({
  name: 'campaign.run',
  data: { tenantId, campaignId },
});

// ---- audiences

/**
 * Phone numbers as people type them, to WhatsApp ids (E.164 digits): libphonenumber-js with the
 * workspace's country for numbers written without their country code. Returns the numbers and the
 * lines that are not valid numbers.
 */
export function normalisePhones(phones: string[], defaultCountry: string | undefined) {
  const waIds: string[] = [];
  const invalid: string[] = [];
  for (const raw of phones) {
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const parsed = parsePhoneNumberFromString(trimmed, defaultCountry as CountryCode | undefined);
    if (parsed?.isValid()) waIds.push(parsed.number.slice(1));
    else invalid.push(trimmed);
  }
  return { waIds, invalid };
}

export async function createSegment(ctx: TenantCtx, input: z.infer<typeof segmentDraftSchema>) {
  return ctx.withTenant(async (tx) => {
    if (await tx.exists(segmentNameTaken(input.name))) {
      throw new TRPCError({ code: 'CONFLICT', message: `An audience named “${input.name}” already exists.` });
    }
    if (input.kind === 'filter') {
      return { segment: await tx.one(insertSegment({ ...input, tenantId: ctx.tenantId })), invalid: [] };
    }
    const { waIds, invalid } = normalisePhones(input.phones, undefined);
    if (waIds.length === 0) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: 'None of the uploaded lines is a phone number with its country code (e.g. +49 151 2345678).',
      });
    }
    const segment = await tx.one(
      insertSegment({ tenantId: ctx.tenantId, name: input.name, kind: 'list', filter: {} }),
    );
    await tx.one(addListMembers(ctx.tenantId, segment.id, waIds));
    return { segment, invalid: invalid.slice(0, 100) };
  });
}

/** Renames a filter segment and replaces its conditions; campaigns already expanded keep their recipients. */
export async function editSegment(
  ctx: TenantCtx,
  input: { id: string; name: string; filter: z.infer<typeof segmentFilterSchema> },
) {
  return ctx.withTenant(async (tx) => {
    const segment = await tx.maybeOne(segmentById(input.id));
    if (!segment) throw noSuchSegment();
    if (segment.kind !== 'filter') {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: 'An uploaded list cannot be edited: upload a new list instead.',
      });
    }
    if (await tx.exists(segmentNameTaken(input.name, input.id))) {
      throw new TRPCError({ code: 'CONFLICT', message: `An audience named “${input.name}” already exists.` });
    }
    return tx.one(updateFilterSegment(input.id, input));
  });
}

export async function countSegment(ctx: TenantCtx, id: string) {
  return ctx.withTenant(async (tx) => {
    const segment = await tx.maybeOne(segmentById(id));
    if (!segment) throw noSuchSegment();
    return tx.one(audienceCount(segment));
  });
}

export async function previewAudience(ctx: TenantCtx, segment: { kind: 'filter'; filter: unknown }) {
  return ctx.withTenant((tx) =>
    tx.one(audienceCount({ id: '00000000-0000-0000-0000-000000000000', ...segment })),
  );
}

export async function removeSegment(ctx: TenantCtx, id: string) {
  const gone = await ctx.withTenant((tx) => tx.maybeOne(deleteSegment(id)));
  if (!gone) throw noSuchSegment();
}

// ---- campaigns

/** What a template needs that the campaign does not give: words for the wizard. */
function mappingProblems(components: unknown, draft: CampaignDraft): string[] {
  const needs = templateNeeds(components);
  const problems: string[] = [];
  const unmapped = needs.bodyVariables.filter((name) => {
    const source = draft.variables.body[name];
    return !source || (source.source === 'text' && source.value === '' && source.fallback === '');
  });
  if (unmapped.length > 0) {
    problems.push(`Choose a value for ${unmapped.map((name) => `{{${name}}}`).join(', ')}.`);
  }
  if (needs.headerVariables.length > 0 && !draft.variables.header) {
    problems.push("Choose a value for the header's variable.");
  }
  if (needs.headerMedia && !draft.headerMediaUrl) {
    problems.push(`Give the header's ${needs.headerFormat?.toLowerCase() ?? 'media'} (an https address).`);
  }
  const missingButtons = needs.buttonInputs.filter(
    (button) => !draft.variables.buttons[String(button.index)],
  );
  if (missingButtons.length > 0) {
    problems.push(
      `Choose a value for the ${missingButtons.map((button) => `“${button.label}”`).join(', ')} button.`,
    );
  }
  return problems;
}

export async function createCampaign(ctx: TenantCtx, draft: CampaignDraft) {
  return ctx.withOutbox(async (tx, outbox) => {
    const parts = await tx.maybeOne(campaignSendingParts(draft.phoneNumberId, draft.templateId));
    if (!parts)
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such phone number in this workspace.' });
    const { template } = parts;
    if (!template) {
      throw new TRPCError({ code: 'NOT_FOUND', message: "That template is not on this number's account." });
    }
    if (template.status !== 'APPROVED') {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: `The template “${template.name}” is ${template.status.toLowerCase()}: only approved templates can be sent.`,
      });
    }
    const problems = mappingProblems(template.components, draft);
    if (problems.length > 0) throw new TRPCError({ code: 'BAD_REQUEST', message: problems.join(' ') });
    if (!(await tx.exists(segmentById(draft.segmentId)))) throw noSuchSegment();
    const created = await tx.one(
      insertCampaign({
        tenantId: ctx.tenantId,
        name: draft.name,
        phoneNumberId: draft.phoneNumberId,
        templateId: draft.templateId,
        segmentId: draft.segmentId,
        includeNotOnWhatsApp: draft.includeNotOnWhatsApp,
        variables: draft.variables,
        headerMediaUrl: draft.headerMediaUrl ?? null,
        scheduledAt: draft.scheduledAt ?? null,
        window: draft.sendWindow ?? null,
        maxRate: draft.maxRate ?? null,
        createdBy: ctx.actor.userId,
      }),
    );
    if (created.inPast) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: 'That time has passed in the workspace’s time zone: choose a later one, or send now.',
      });
    }
    await tx.query(announceCampaign(created.id));
    outbox.send(runJob(ctx.tenantId, created.id));
    return tx.one(campaignById(created.id));
  });
}

async function lockedCampaign(tx: Tx, id: string) {
  const campaign = await tx.maybeOne(lockCampaign(id));
  if (!campaign) throw noSuchCampaign();
  return campaign;
}

/** Stops sending at once: messages no sender has claimed are taken back, to go on resume. */
export async function pauseCampaign(ctx: TenantCtx, id: string) {
  return ctx.withTenant(async (tx) => {
    const campaign = await lockedCampaign(tx, id);
    if (campaign.status !== 'running' && campaign.status !== 'scheduled') {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: `The campaign is ${campaign.status}; only a running or scheduled campaign can be paused.`,
      });
    }
    await tx.query(setCampaignStatus(id, 'paused'));
    await tx.one(withdrawMessages(id, 'pending'));
    await tx.query(announceCampaign(id));
    return tx.one(campaignById(id));
  });
}

export async function resumeCampaign(ctx: TenantCtx, id: string) {
  return ctx.withOutbox(async (tx, outbox) => {
    const campaign = await lockedCampaign(tx, id);
    if (campaign.status !== 'paused') {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: `The campaign is ${campaign.status}; only a paused campaign can be resumed.`,
      });
    }
    const due = (campaign.scheduledInSeconds ?? 0) > 0;
    await tx.query(setCampaignStatus(id, due ? 'scheduled' : 'running', { started: !due }));
    await tx.query(announceCampaign(id));
    outbox.send(runJob(ctx.tenantId, id));
    return tx.one(campaignById(id));
  });
}

/** Ends the campaign: nothing more is sent (messages already claimed by a sender still go). */
export async function cancelCampaign(ctx: TenantCtx, id: string) {
  return ctx.withTenant(async (tx) => {
    const campaign = await lockedCampaign(tx, id);
    if (['completed', 'cancelled', 'failed'].includes(campaign.status)) {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: `The campaign is already ${campaign.status}.`,
      });
    }
    await tx.query(setCampaignStatus(id, 'cancelled', { finished: true }));
    await tx.one(withdrawMessages(id, 'cancelled'));
    await tx.query(announceCampaign(id));
    return tx.one(campaignById(id));
  });
}

export async function getCampaign(ctx: TenantCtx, id: string) {
  const campaign = await ctx.withTenant((tx) => tx.maybeOne(campaignById(id)));
  if (!campaign) throw noSuchCampaign();
  return campaign;
}

/**
 * Meta's list prices per message in USD by pricing category (a rough, country-blind estimate: Meta
 * prices by the recipient's country; https://developers.facebook.com/docs/whatsapp/pricing).
 */
export const estimatedPriceUsd: Record<string, number> = {
  marketing: 0.025,
  utility: 0.004,
  authentication: 0.0035,
  authentication_international: 0.03,
  service: 0,
  referral_conversion: 0,
};

export async function reportCampaign(
  ctx: TenantCtx,
  id: string,
): Promise<CampaignReport & { costUsd: number }> {
  return ctx.withTenant(async (tx) => {
    const counts = await tx.maybeOne(campaignReport(id));
    if (!counts) throw noSuchCampaign();
    const failures = [...(await tx.any(campaignFailures(id)))];
    const pricing = [...(await tx.any(campaignPricing(id)))];
    const costUsd = pricing.reduce(
      (sum, row) => sum + row.messages * (estimatedPriceUsd[row.category.toLowerCase()] ?? 0),
      0,
    );
    return { ...counts, failures, pricing, costUsd: Math.round(costUsd * 100) / 100 };
  });
}

export async function listRecipients(ctx: TenantCtx, id: string, status: string | undefined) {
  return ctx.withTenant(async (tx) => {
    if (!(await tx.exists(campaignById(id)))) throw noSuchCampaign();
    return [...(await tx.any(campaignRecipients(id, { status, limit: 200 })))];
  });
}

export const recipientCsvColumns = [
  'phone',
  'name',
  'status',
  'error_code',
  'error',
  'queued_at',
  'replied_at',
];

/** A cell starting with = + - @ would run as a formula in a spreadsheet: quote it as text. */
const safe = (value: string | null) => (value && /^[=+\-@]/.test(value) ? `'${value}` : (value ?? ''));

const recipientCsvRow = (row: z.infer<typeof recipientSchema>) => [
  row.waId ? `+${row.waId}` : '',
  safe(row.name),
  row.status,
  row.errorCode ?? '',
  safe(row.errorMessage),
  row.queuedAt ?? '',
  row.repliedAt ?? '',
];

/** The file name of a campaign's recipients export: its name, slugged. */
export const recipientsFilename = (name: string) =>
  `${
    name
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase() || 'campaign'
  }-recipients.csv`;

/**
 * Every recipient with its status as CSV rows, a page at a time (keyset on the contact id), each page
 * in its own short transaction: the export streams however many recipients, in flat memory.
 */
export async function* recipientCsvRows(
  inTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  id: string,
  pageSize = 2000,
): AsyncGenerator<(string | number)[]> {
  for (let after: string | undefined; ;) {
    const page = await inTenant((tx) =>
      tx.any(campaignRecipients(id, { limit: pageSize, ...(after ? { afterContactId: after } : {}) })),
    );
    for (const row of page) yield recipientCsvRow(row);
    if (page.length < pageSize) return;
    after = page.at(-1)?.contactId;
  }
}

/** Every recipient with its status, as CSV text (csv-stringify: quoting and formula-safe cells). */
export async function recipientsCsv(ctx: TenantCtx, id: string) {
  return ctx.withTenant(async (tx) => {
    const campaign = await tx.maybeOne(campaignById(id));
    if (!campaign) throw noSuchCampaign();
    const rows = await tx.any(campaignRecipients(id, { limit: 1_000_000 }));
    const csv = stringify(rows.map(recipientCsvRow), { header: true, columns: recipientCsvColumns });
    return { filename: recipientsFilename(campaign.name), csv };
  });
}
