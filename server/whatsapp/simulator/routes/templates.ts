import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { templateCreateSchema } from '../../graph-schemas.ts';
import { describePayloadProblem } from '../../message-payloads.ts';
import { publicBaseUrl, type SimulatorContext } from '../context.ts';
import { authenticate, graphErrors, mayUse, sendGraphError } from '../graph-replies.ts';
import type { TemplateRecord } from '../state.ts';
import { wabaChange } from '../webhook-bodies.ts';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(25),
  after: z.string().optional(),
  fields: z.string().optional(),
  name: z.string().optional(),
  status: z.string().optional(),
});

/** Templates whose name or texts contain this marker are rejected by the simulated review. */
const rejectionMarker = /reject/i;
const rejectionReason = 'The template contains the word "reject", which the simulated review does not allow.';

const encodeCursor = (id: string) => Buffer.from(id).toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString();

const defaultFields = ['name', 'parameter_format', 'components', 'language', 'status', 'category', 'id'];

function templateJson(template: TemplateRecord, fields: string[] | undefined) {
  const full: Record<string, unknown> = {
    name: template.name,
    parameter_format: template.parameterFormat,
    components: template.components,
    language: template.language,
    status: template.status,
    category: template.category,
    quality_score: { score: template.quality ?? 'UNKNOWN', date: Math.floor(template.createdAt / 1000) },
    ...(template.status === 'REJECTED'
      ? { rejected_reason: 'INVALID_FORMAT', rejection_info: { reason: template.rejectedReason } }
      : {}),
    id: template.id,
  };
  // Without `fields`, Meta answers its default fields (as templates-page-1.json shows).
  if (!fields) return Object.fromEntries(Object.entries(full).filter(([key]) => defaultFields.includes(key)));
  return Object.fromEntries(Object.entries(full).filter(([key]) => key === 'id' || fields.includes(key)));
}

/**
 * GET/POST/DELETE /{waba_id}/message_templates with Graph cursor paging. A created template is PENDING,
 * then reviewed after `templateReviewDelayMs`: APPROVED, or REJECTED (with a reason) when its name or
 * any of its texts contains the marker "reject", announced by a message_template_status_update
 * webhook. DELETE takes `name` (every language) and optionally `hsm_id` (that one template).
 */
export function templateRoutes(graph: FastifyInstance, context: SimulatorContext): void {
  const { state, scheduler, emitter, options } = context;

  function waba(request: FastifyRequest, reply: FastifyReply): string | undefined {
    const token = authenticate(request, reply, state);
    if (!token) return undefined;
    const { wabaId } = request.params as { wabaId: string };
    if (!state.isWaba(wabaId) || !mayUse(token, wabaId)) {
      void sendGraphError(reply, state, graphErrors.unknownObject(request.method, wabaId));
      return undefined;
    }
    return wabaId;
  }

  graph.get('/:wabaId/message_templates', async (request, reply) => {
    const wabaId = waba(request, reply);
    if (!wabaId) return reply;
    const parsed = listQuery.safeParse(request.query);
    if (!parsed.success) {
      return sendGraphError(reply, state, graphErrors.invalidParameter(describePayloadProblem(parsed.error)));
    }
    const { limit, after, fields, name, status } = parsed.data;
    const all = state
      .templates(wabaId)
      .filter((t) => (!name || t.name.includes(name)) && (!status || t.status === status.toUpperCase()));
    let start = 0;
    if (after) {
      const index = all.findIndex((t) => t.id === decodeCursor(after));
      if (index < 0) return sendGraphError(reply, state, graphErrors.invalidParameter('Invalid cursor'));
      start = index + 1;
    }
    const page = all.slice(start, start + limit);
    const first = page[0];
    const last = page.at(-1);
    if (!first || !last) return reply.send({ data: [] });
    const paging: Record<string, unknown> = {
      cursors: { before: encodeCursor(first.id), after: encodeCursor(last.id) },
    };
    if (start + limit < all.length) {
      const next = new URL(`${publicBaseUrl(context, request)}${request.url.split('?')[0]}`);
      next.searchParams.set('limit', String(limit));
      if (fields) next.searchParams.set('fields', fields);
      next.searchParams.set('after', encodeCursor(last.id));
      paging.next = next.toString();
    }
    const fieldList = fields?.split(',').map((field) => field.trim());
    return reply.send({ data: page.map((t) => templateJson(t, fieldList)), paging });
  });

  graph.post('/:wabaId/message_templates', async (request, reply) => {
    const wabaId = waba(request, reply);
    if (!wabaId) return reply;
    const parsed = templateCreateSchema.safeParse(request.body);
    if (!parsed.success) {
      return sendGraphError(reply, state, graphErrors.invalidParameter(describePayloadProblem(parsed.error)));
    }
    const body = parsed.data;
    if (state.templates(wabaId).some((t) => t.name === body.name && t.language === body.language)) {
      return sendGraphError(
        reply,
        state,
        graphErrors.invalidParameter(
          `Content in ${body.language} already exists for template ${body.name}.`,
          2388024,
        ),
      );
    }
    const template = state.addTemplate(wabaId, {
      name: body.name,
      language: body.language,
      category: body.category,
      status: 'PENDING',
      parameterFormat: body.parameter_format ?? 'POSITIONAL',
      components: body.components,
    });
    scheduler.after(options.templateReviewDelayMs, () => {
      if (!state.templates(wabaId).includes(template)) return;
      const rejected =
        rejectionMarker.test(template.name) || rejectionMarker.test(JSON.stringify(template.components));
      template.status = rejected ? 'REJECTED' : 'APPROVED';
      if (rejected) template.rejectedReason = rejectionReason;
      emitter.emit(
        wabaId,
        'template.status',
        wabaChange(wabaId, state.now(), 'message_template_status_update', {
          event: template.status,
          message_template_id: Number(template.id),
          message_template_name: template.name,
          message_template_language: template.language,
          reason: rejected ? 'INVALID_FORMAT' : 'NONE',
          message_template_category: template.category,
          ...(rejected
            ? {
                rejection_info: {
                  reason: rejectionReason,
                  recommendation: 'Remove the word "reject" from the name and texts to get it approved.',
                },
              }
            : {}),
        }),
      );
    });
    return reply.send({ id: template.id, status: template.status, category: template.category });
  });

  graph.delete('/:wabaId/message_templates', async (request, reply) => {
    const wabaId = waba(request, reply);
    if (!wabaId) return reply;
    const { name, hsm_id: hsmId } = request.query as { name?: string; hsm_id?: string };
    if (!name)
      return sendGraphError(reply, state, graphErrors.invalidParameter('The parameter name is required.'));
    if (state.deleteTemplates(wabaId, name, hsmId) === 0) {
      return sendGraphError(
        reply,
        state,
        graphErrors.invalidParameter(`Message template "${name}" not found.`),
      );
    }
    return reply.send({ success: true });
  });
}
