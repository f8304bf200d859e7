import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  describePayloadProblem,
  outboundMessageSchema,
  type OutboundMessageBody,
} from '../../message-payloads.ts';
import type { SimulatorContext } from '../context.ts';
import { droppedAfterAccept } from '../faults.ts';
import { authenticate, graphErrors, mayUse, sendGraphError, type GraphErrorReply } from '../graph-replies.ts';
import type { OutboundRecord, TemplateRecord } from '../state.ts';
import { statusErrors, type WebhookErrorObject } from '../webhook-bodies.ts';

const mediaMessageTypes = new Set(['image', 'audio', 'video', 'document', 'sticker']);

/** Meta's "mark as read" (optionally with a typing indicator): the same endpoint, another body. */
const markReadBody = z.object({
  messaging_product: z.literal('whatsapp'),
  status: z.literal('read'),
  message_id: z.string().min(1),
  typing_indicator: z.object({ type: z.literal('text') }).optional(),
});

/**
 * POST /{phone_number_id}/messages. Limits and template problems fail synchronously (HTTP 400), as at
 * Meta; a closed customer-service window, an unknown recipient or unusable media are only reported
 * later as a `failed` status webhook, while the send itself returns 200 with a wamid.
 */
export function messageRoutes(graph: FastifyInstance, context: SimulatorContext): void {
  const { state, options, limiter, statuses } = context;

  graph.post('/:phoneNumberId/messages', async (request, reply) => {
    const token = authenticate(request, reply, state);
    if (!token) return reply;
    const { phoneNumberId } = request.params as { phoneNumberId: string };
    const phone = state.phoneNumber(phoneNumberId);
    if (!phone || !mayUse(token, phone.wabaId)) {
      return sendGraphError(reply, state, graphErrors.unknownObject('POST', phoneNumberId));
    }
    const body0 = request.body as { status?: unknown } | undefined;
    if (body0 && typeof body0 === 'object' && 'status' in body0) {
      const read = markReadBody.safeParse(request.body);
      if (!read.success) {
        return sendGraphError(reply, state, graphErrors.invalidParameter(describePayloadProblem(read.error)));
      }
      if (!state.markRead(phone.id, read.data.message_id, read.data.typing_indicator !== undefined)) {
        return sendGraphError(
          reply,
          state,
          graphErrors.invalidParameter(`Invalid message_id: ${read.data.message_id}`),
        );
      }
      return reply.send({ success: true });
    }
    const parsed = outboundMessageSchema.safeParse(request.body);
    if (!parsed.success) {
      return sendGraphError(reply, state, graphErrors.invalidParameter(describePayloadProblem(parsed.error)));
    }
    const body = parsed.data;
    const to = body.to.replace(/[\s()+.-]/g, '');
    if (!/^\d{6,15}$/.test(to)) {
      return sendGraphError(
        reply,
        state,
        graphErrors.invalidParameter(`Param to: '${body.to}' is not a phone number`),
      );
    }

    const limit = limiter.check(phone.id, to, {
      throughputPerSecond: phone.throughputPerSecond ?? options.throughputPerSecond,
      pairRate: options.pairRate,
    });
    if (limit === 'throughput') return sendGraphError(reply, state, graphErrors.throughput());
    if (limit === 'pair-rate') return sendGraphError(reply, state, graphErrors.pairRate());

    let template: TemplateRecord | undefined;
    if (body.type === 'template') {
      const { name, language, components = [] } = body.template;
      template = state.template(phone.wabaId, name, language.code);
      const problem = templateProblem(template, name, language.code, components);
      if (problem) return sendGraphError(reply, state, problem);
    }

    const acceptedAt = state.now();
    const windowOpen = state.windowOpen(phone.id, to, acceptedAt);
    const record: OutboundRecord = {
      wamid: state.ids.wamid(to, 'outbound'),
      phoneNumberId: phone.id,
      wabaId: phone.wabaId,
      to,
      type: body.type,
      body,
      acceptedAt,
      category: template ? (template.category.toLowerCase() as OutboundRecord['category']) : 'service',
      windowOpenAtSend: windowOpen,
      conversation: state.conversation(phone.id, to, acceptedAt),
      statuses: [],
    };
    state.addOutbound(record);
    const overLimit =
      template && !windowOpen ? state.startBusinessInitiated(phone, to, acceptedAt) : undefined;
    statuses.start(
      record,
      overLimit !== undefined
        ? Promise.resolve(statusErrors.messagingLimit(overLimit))
        : deliveryFailure(context, body, to, windowOpen),
    );
    if (await droppedAfterAccept(request, reply)) return reply;

    return reply.send({
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: to }],
      messages: [{ id: record.wamid, ...(template ? { message_status: 'accepted' } : {}) }],
    });
  });
}

async function deliveryFailure(
  context: SimulatorContext,
  body: OutboundMessageBody,
  to: string,
  windowOpen: boolean,
): Promise<WebhookErrorObject | undefined> {
  if (!context.state.isOnWhatsApp(to)) return statusErrors.undeliverable();
  // Outside the 24-hour customer-service window only templates may be sent.
  if (body.type !== 'template' && !windowOpen) return statusErrors.windowClosed();
  if (mediaMessageTypes.has(body.type)) {
    const media = (body as Record<string, unknown>)[body.type] as { id?: string; link?: string } | undefined;
    if (media?.id && !context.state.media(media.id)) {
      return statusErrors.mediaUpload(`Media id ${media.id} does not exist or has expired.`);
    }
    if (media?.link) return fetchLinkProblem(media.link);
  }
  return undefined;
}

/**
 * Meta downloads a `link` after accepting the send; a link it cannot fetch ends in a `failed` status
 * with 131053 (Meta's details text: "Downloading media from weblink failed with http code …").
 */
async function fetchLinkProblem(link: string): Promise<WebhookErrorObject | undefined> {
  try {
    const response = await fetch(link, { redirect: 'follow', signal: AbortSignal.timeout(10_000) });
    await response.body?.cancel();
    if (response.ok) return undefined;
    return statusErrors.mediaUpload(
      `Downloading media from weblink failed with http code ${response.status}, status message ${response.statusText || 'Error'}`,
    );
  } catch (error) {
    const reason =
      error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
    return statusErrors.mediaUpload(`Downloading media from weblink failed: ${reason || 'unreachable'}`);
  }
}

const placeholderPattern = /\{\{\s*(\w+)\s*\}\}/g;

type SentComponent = { type: string; parameters: { type: string; parameter_name?: string | undefined }[] };

/**
 * Why Meta would refuse this template send, in the order Meta checks: existence in that language and
 * approval (132001), pacing and quality (132015 paused, 132016 disabled), parameter format (132012),
 * parameter count (132000).
 */
function templateProblem(
  template: TemplateRecord | undefined,
  name: string,
  language: string,
  components: SentComponent[],
): GraphErrorReply | undefined {
  if (!template || !['APPROVED', 'PAUSED', 'DISABLED'].includes(template.status)) {
    return graphErrors.templateMissing(name, language);
  }
  if (template.status === 'PAUSED') return graphErrors.templatePaused(name);
  if (template.status === 'DISABLED') return graphErrors.templateDisabled(name);
  for (const part of template.components) {
    const type = String(part.type).toLowerCase();
    if ((type !== 'body' && type !== 'header') || typeof part.text !== 'string') continue;
    const variables = [...new Set([...part.text.matchAll(placeholderPattern)].map((match) => match[1]))];
    const given = components.find((component) => component.type === type)?.parameters ?? [];
    if (template.parameterFormat === 'NAMED') {
      const unnamed = given.find((parameter) => parameter.type === 'text' && !parameter.parameter_name);
      const unknown = given.find(
        (parameter) => parameter.parameter_name && !variables.includes(parameter.parameter_name),
      );
      if (unnamed) {
        return graphErrors.templateParameterFormat(`${type}: named parameters need a parameter_name`);
      }
      if (unknown) {
        return graphErrors.templateParameterFormat(
          `${type}: parameter_name ${unknown.parameter_name} is not a parameter of the template`,
        );
      }
    } else if (given.some((parameter) => parameter.parameter_name)) {
      return graphErrors.templateParameterFormat(`${type}: positional parameters take no parameter_name`);
    }
    if (given.length !== variables.length) {
      return graphErrors.templateParameters(type, given.length, variables.length);
    }
  }
  return undefined;
}
