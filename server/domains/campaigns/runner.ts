import type { AppServices } from '../../app-services.ts';
import type { Tx } from '../../db/tx.ts';
import { withTenantOutbox, type Outbox } from '../../jobs/outbox.ts';
import { assertTenantActive } from '../messages/queries.ts';
import { sendJob } from '../messages/service.ts';
import { graphTemplateMessage, renderTemplate, valueProblems } from '../templates/render.ts';
import { announceCampaign, lockCampaign, setCampaignStatus } from './queries.ts';
import {
  campaignConversations,
  deferRecipients,
  dueRecipients,
  expandRecipients,
  inFlight,
  insertCampaignMessages,
  markQueued,
  recordExpansion,
  recordRelease,
  runnerCampaign,
  skipRecipients,
  tierRoom,
  type RecipientRow,
  type RunnerCampaign,
} from './runner-queries.ts';
import { variableMappingSchema } from './schemas.ts';
import { windowCheck } from './send-window.ts';
import { resolveValues } from './values.ts';

/**
 * The campaign runner, one tick at a time (campaign.run calls tick() in a loop). Each tick is one
 * transaction with the campaign's row locked, so ticks, pause and cancel take turns:
 *
 * 1. Expansion: the audience's contacts become campaign_recipients rows, `expandBatch` per tick, in
 *    id order after a stored cursor (the primary key (campaign, contact) makes a repeated batch add
 *    nobody twice).
 * 2. Release: due pending recipients get their template message, inserted pending with its
 *    message.send job in the same transaction (the outbox, as queueOutboundMessage does for one
 *    message), and become `queued` in that transaction too: a recipient leaves `pending` exactly when
 *    its one message exists, whatever crashes. The message.send batch sender then paces them with
 *    every other send (reserve_send_slots: number throughput, pair rate, plan, tier).
 * 3. How many: only about `lookaheadSeconds` of the number's rate (or the campaign's max rate) is
 *    queued ahead of the sender, so pause and cancel, which take back every message not yet claimed
 *    (withdraw_campaign_messages), stop the campaign within about that time. No more than the
 *    messaging tier's room is released, so a campaign waits for it rather than failing recipients.
 */
export interface RunnerTiming {
  tickMs: number;
  lookaheadSeconds: number;
  expandBatch: number;
}

export const defaultRunnerTiming: RunnerTiming = { tickMs: 200, lookaheadSeconds: 1, expandBatch: 5000 };

export type TickOutcome = { kind: 'stop' } | { kind: 'again'; afterMs: number };

const minimumLookahead = 5;

export async function tick(
  services: AppServices,
  tenantId: string,
  campaignId: string,
  timing: RunnerTiming = defaultRunnerTiming,
): Promise<TickOutcome> {
  return withTenantOutbox(
    services.pools.owner,
    services.boss,
    { tenantId, userId: null },
    async (tx, outbox) => {
      const locked = await tx.maybeOne(lockCampaign(campaignId));
      if (!locked) return { kind: 'stop' };
      if (locked.status === 'scheduled') {
        if ((locked.scheduledInSeconds ?? 0) > 0) {
          return { kind: 'again', afterMs: Math.min(locked.scheduledInSeconds ?? 0, 30) * 1000 };
        }
        await tx.query(setCampaignStatus(campaignId, 'running', { started: true }));
        await tx.query(announceCampaign(campaignId));
      } else if (locked.status !== 'running') return { kind: 'stop' };
      return runTick(tx, outbox, tenantId, campaignId, timing);
    },
  );
}

async function runTick(
  tx: Tx,
  outbox: Outbox,
  tenantId: string,
  campaignId: string,
  timing: RunnerTiming,
): Promise<TickOutcome> {
  const campaign = await tx.one(runnerCampaign(campaignId));
  if (campaign.templateStatus !== 'APPROVED') {
    await stopWith(
      tx,
      campaignId,
      `The template is ${campaign.templateStatus.toLowerCase()} now: only approved templates can be sent.`,
    );
    return { kind: 'stop' };
  }
  if (!campaign.expanded) {
    if (!campaign.segment) {
      await stopWith(tx, campaignId, 'Its audience was deleted before every recipient was listed.');
      return { kind: 'stop' };
    }
    const batch = await tx.one(
      expandRecipients({
        tenantId,
        campaignId,
        segment: campaign.segment,
        includeNotOnWhatsApp: campaign.includeNotOnWhatsApp,
        cursor: campaign.expandCursor,
        limit: timing.expandBatch,
      }),
    );
    const done = batch.found < timing.expandBatch;
    await tx.query(recordExpansion(campaignId, { last: batch.last, inserted: batch.inserted, done }));
    await tx.query(announceCampaign(campaignId));
    if (!done) return { kind: 'again', afterMs: 0 };
  }

  const flight = await tx.one(inFlight(campaignId));
  if (flight.pending === 0) {
    if (flight.queued === 0) {
      await tx.query(setCampaignStatus(campaignId, 'completed', { finished: true }));
      await tx.query(announceCampaign(campaignId));
      return { kind: 'stop' };
    }
    return { kind: 'again', afterMs: 1000 };
  }

  const rate = Math.min(campaign.maxRate ?? campaign.throughputMps, campaign.throughputMps);
  let budget = Math.max(minimumLookahead, Math.ceil(rate * timing.lookaheadSeconds)) - flight.queued;
  if (campaign.maxRate !== null) {
    // The campaign's own bucket: released_at is how far its releases have run ahead of now (GCRA).
    const ahead = Math.max(0, -(campaign.releasedAgoSeconds ?? 0));
    budget = Math.min(budget, Math.floor((timing.lookaheadSeconds - ahead) * campaign.maxRate));
  }
  const room = (await tx.one(tierRoom(campaign.phoneNumberId))).room;
  if (room !== null) {
    budget = Math.min(budget, room - flight.queued);
    if (budget <= 0 && flight.queued === 0) {
      await tx.query(
        setCampaignStatus(campaignId, 'running', {
          reason:
            'Waiting: this number reached its WhatsApp messaging limit (customers per 24 hours); it goes on as room frees up.',
        }),
      );
      return { kind: 'again', afterMs: 60_000 };
    }
  }
  if (budget <= 0) return { kind: 'again', afterMs: timing.tickMs };

  await tx.query(assertTenantActive());
  const due = await tx.any(dueRecipients(campaignId, budget));
  if (due.length === 0) {
    const wait = flight.nextNotBefore === null ? 1000 : Math.min(flight.nextNotBefore * 1000, 60_000);
    return { kind: 'again', afterMs: Math.max(timing.tickMs, wait) };
  }
  const released = await release(tx, outbox, { tenantId, campaignId, campaign, due });
  if (campaign.maxRate !== null && released > 0) {
    await tx.query(recordRelease(campaignId, released / campaign.maxRate));
  }
  await tx.query(announceCampaign(campaignId));
  return { kind: 'again', afterMs: timing.tickMs };
}

async function stopWith(tx: Tx, campaignId: string, reason: string) {
  await tx.query(setCampaignStatus(campaignId, 'paused', { reason }));
  await tx.query(announceCampaign(campaignId));
}

/** Writes the due recipients' messages and jobs; returns how many were queued. */
async function release(
  tx: Tx,
  outbox: Outbox,
  input: {
    tenantId: string;
    campaignId: string;
    campaign: RunnerCampaign;
    due: readonly RecipientRow[];
  },
): Promise<number> {
  const { campaign, campaignId, tenantId } = input;
  const mapping = variableMappingSchema.parse(campaign.variables ?? {});
  const now = new Date();
  const window =
    campaign.windowStartMinute !== null && campaign.windowEndMinute !== null
      ? windowCheck({ startMinute: campaign.windowStartMinute, endMinute: campaign.windowEndMinute }, now)
      : null;

  const deferred: { contactId: string; notBefore: string }[] = [];
  const skipped: { contactId: string; reason: string }[] = [];
  const ready: { contactId: string; preview: string; content: object; rendered: object }[] = [];
  for (const recipient of input.due) {
    const opensAt = window?.(recipient.contact.country) ?? null;
    if (opensAt) {
      deferred.push({ contactId: recipient.contactId, notBefore: opensAt.toISOString() });
      continue;
    }
    const values = resolveValues(mapping, recipient.contact, campaign.headerMediaUrl);
    const problems = valueProblems(campaign.template.components, values);
    if (problems.length > 0) {
      skipped.push({
        contactId: recipient.contactId,
        reason: `No value for this contact: ${problems.join(' ')}`,
      });
      continue;
    }
    const rendered = renderTemplate(campaign.template.components, values);
    ready.push({
      contactId: recipient.contactId,
      preview: rendered.body,
      rendered,
      content: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: recipient.waId,
        type: 'template',
        template: graphTemplateMessage(campaign.template, values),
      },
    });
  }
  if (deferred.length > 0) await tx.query(deferRecipients(campaignId, deferred));
  if (skipped.length > 0) await tx.query(skipRecipients(campaignId, skipped));
  if (ready.length === 0) return 0;

  const conversations = await tx.any(
    campaignConversations({
      tenantId,
      phoneNumberId: campaign.phoneNumberId,
      campaignId,
      contactIds: ready.map((one) => one.contactId),
      previews: ready.map((one) => one.preview),
    }),
  );
  const conversationOf = new Map(conversations.map((row) => [row.contactId, row.id]));
  const messages = await tx.any(
    insertCampaignMessages({
      tenantId,
      conversationIds: ready.map((one) => conversationOf.get(one.contactId) as string),
      bodies: ready.map((one) => one.preview),
      contents: ready.map((one) => one.content),
      rendered: ready.map((one) => one.rendered),
    }),
  );
  const contactOf = new Map(conversations.map((row) => [row.id, row.contactId]));
  const queued = messages.map((message) => ({
    contactId: contactOf.get(message.conversationId) as string,
    messageId: message.id,
  }));
  await tx.query(markQueued(campaignId, queued));
  for (const message of messages) outbox.send(sendJob(tenantId, message.id));
  return queued.length;
}
