import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { withTenant } from '../../db/tx.ts';
import { GraphApiError } from '../../whatsapp/errors.ts';
import type { Template } from '../../whatsapp/graph-schemas.ts';
import { channelGraph, readSecrets, type TenantScope } from '../channels/service.ts';
import type { templateChannelSchema } from './queries.ts';
import {
  markMissingDeleted,
  markTemplateDeleted,
  templateDeleteTarget,
  templateChannels,
  upsertTemplates,
  type TemplateRow,
  templateList,
} from './queries.ts';
import { graphTemplateBody, type TemplateDraft } from './schemas.ts';

/** Fields asked of GET /{waba_id}/message_templates: everything Parley keeps. */
const listFields = 'name,language,status,category,components,parameter_format,quality_score,rejected_reason';
/** Meta's largest page for templates; a WABA with hundreds of templates syncs in a few calls. */
const pageSize = 100;

export interface SyncResult {
  channelId: string;
  templates: number;
  deleted: number;
}

/** A tenant's way in: request scope (procedures) or the pools and a tenant id (jobs). */
type Scope = Pick<TenantScope, 'services' | 'tenantId' | 'withTenant'>;

export function jobScope(services: AppServices, tenantId: string): Scope {
  return { services, tenantId, withTenant: (fn) => withTenant(services.pools.app, tenantId, fn) };
}

async function graphFor(scope: Scope, channel: z.infer<typeof templateChannelSchema>) {
  const { accessToken } = await scope.withTenant((tx) => readSecrets(tx, scope.services, channel.id));
  return channelGraph(scope.services, channel, accessToken);
}

/**
 * Reads every template of the channels' WABAs from Meta, all pages, and stores them; templates Meta
 * no longer lists are marked DELETED. The Graph calls run outside any transaction; one transaction
 * per channel writes the result.
 */
export async function syncTemplates(scope: Scope, channelId?: string): Promise<SyncResult[]> {
  const channels = await scope.withTenant((tx) => tx.any(templateChannels(channelId)));
  if (channelId && channels.length === 0) {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'No such channel, or it is disabled.' });
  }
  const results: SyncResult[] = [];
  for (const channel of channels) {
    const graph = await graphFor(scope, channel);
    const templates: Template[] = [];
    try {
      for await (const template of graph.iterateTemplates(channel.wabaId, {
        limit: pageSize,
        fields: listFields,
      })) {
        templates.push(template);
      }
    } catch (error) {
      throw metaRefusal(error, 'Meta did not list the templates');
    }
    const deleted = await scope.withTenant(async (tx) => {
      if (templates.length > 0) await tx.query(upsertTemplates(scope.tenantId, channel.id, templates));
      return tx.any(
        markMissingDeleted(
          channel.id,
          templates.map((template) => template.id),
        ),
      );
    });
    results.push({ channelId: channel.id, templates: templates.length, deleted: deleted.length });
  }
  return results;
}

/** Meta's refusal as a 400 that quotes Meta (its rejection reason included); anything else as is. */
function metaRefusal(error: unknown, what: string): unknown {
  if (!(error instanceof GraphApiError)) return error;
  const details = error.details;
  return new TRPCError({
    code: 'BAD_REQUEST',
    message: `${what}: ${error.message}${details && !error.message.includes(details) ? ` (${details})` : ''}`,
  });
}

async function channelOf(scope: Scope, channelId: string) {
  const [channel] = await scope.withTenant((tx) => tx.any(templateChannels(channelId)));
  if (!channel) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such channel, or it is disabled.' });
  return channel;
}

/**
 * Submits a template (already checked against Meta's rules by templateDraftSchema) for review and
 * stores it as Meta answered (usually PENDING); the review's outcome arrives by webhook.
 */
export async function createTemplate(scope: Scope, draft: TemplateDraft): Promise<TemplateRow> {
  const channel = await channelOf(scope, draft.channelId);
  const graph = await graphFor(scope, channel);
  const body = graphTemplateBody(draft);
  let created: { id: string; status: string; category: string };
  try {
    created = await graph.createTemplate(channel.wabaId, body);
  } catch (error) {
    throw metaRefusal(error, 'Meta refused the template');
  }
  return scope.withTenant(async (tx) => {
    await tx.query(
      upsertTemplates(scope.tenantId, channel.id, [
        { ...body, id: created.id, status: created.status, category: created.category },
      ]),
    );
    const [row] = await tx.any(templateList({ channelId: channel.id, search: draft.name }));
    const found = row && row.name === draft.name ? row : undefined;
    if (!found)
      throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'The template was not stored.' });
    return found;
  });
}

/**
 * Deletes a template at Meta: every language of its name, or (with `onlyThisLanguage`) just this one
 * by its hsm id, then marks what was deleted.
 */
export async function deleteTemplate(
  scope: Scope,
  input: { id: string; onlyThisLanguage: boolean },
): Promise<{ deleted: number }> {
  const target = await scope.withTenant((tx) => tx.maybeOne(templateDeleteTarget(input.id)));
  if (!target) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such template.' });
  const channel = await channelOf(scope, target.channelId);
  const graph = await graphFor(scope, channel);
  const hsmId = input.onlyThisLanguage ? (target.metaTemplateId ?? undefined) : undefined;
  try {
    await graph.deleteTemplate(channel.wabaId, target.name, hsmId);
  } catch (error) {
    throw metaRefusal(error, 'Meta did not delete the template');
  }
  const deleted = await scope.withTenant((tx) =>
    tx.query(
      markTemplateDeleted({
        channelId: target.channelId,
        name: target.name,
        onlyId: input.onlyThisLanguage ? input.id : undefined,
      }),
    ),
  );
  return { deleted: deleted.rowCount };
}

/**
 * The first sync of a newly connected channel: its templates are ready in the composer at once. A
 * failure is only logged (the channel works; "Sync templates" tries again).
 */
export async function syncAfterConnect(scope: TenantScope, channelId: string): Promise<void> {
  try {
    await syncTemplates(scope, channelId);
  } catch (error) {
    scope.logger.warn({ err: error, channelId }, 'syncing templates after connecting failed');
  }
}
