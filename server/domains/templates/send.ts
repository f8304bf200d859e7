import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';
import type { Outbox } from '../../jobs/outbox.ts';
import { queueOutboundMessage } from '../messages/service.ts';
import { conversationTemplate } from './queries.ts';
import { graphTemplateMessage, renderTemplate, templateValuesSchema, valueProblems } from './render.ts';

/** message.sendTemplate's input: which template (by name and language) and the values it needs. */
export const sendTemplateInput = z.object({
  conversationId: z.uuid(),
  name: z.string().trim().min(1, 'Choose a template.').max(512),
  language: z.string().trim().min(2, 'Choose a language.').max(20),
  values: templateValuesSchema.default({ body: {}, header: {}, buttons: {} }),
});

/**
 * Queues a template message, allowed whether or not the 24-hour window is open: the template must be
 * approved on the conversation's account, and the values must match its variables (count and names)
 * and buttons. The message keeps the Graph payload and what the customer will see (`rendered`); the
 * rest (contact, row, job) is queueOutboundMessage's, as for every send type.
 */
export async function queueTemplateMessage(
  tx: Tx,
  outbox: Outbox,
  input: z.infer<typeof sendTemplateInput> & { tenantId: string; requestId?: string | undefined },
): Promise<{ id: string; status: 'queued' }> {
  const found = await tx.maybeOne(conversationTemplate(input.conversationId, input.name, input.language));
  if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
  const { template } = found;
  if (!template || template.status === 'DELETED') {
    throw new TRPCError({
      code: 'NOT_FOUND',
      message: `This number's account has no template "${input.name}" in ${input.language}. Sync the templates if it was just created.`,
    });
  }
  if (template.status !== 'APPROVED') {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: `The template "${input.name}" is ${template.status.toLowerCase()}: only approved templates can be sent.`,
    });
  }
  const problems = valueProblems(template.components, input.values);
  if (problems.length > 0) throw new TRPCError({ code: 'BAD_REQUEST', message: problems.join(' ') });
  const rendered = renderTemplate(template.components, input.values);
  return queueOutboundMessage(tx, outbox, {
    tenantId: input.tenantId,
    conversationId: input.conversationId,
    built: {
      message: { type: 'template', template: graphTemplateMessage(template, input.values) },
      preview: rendered.body,
    },
    rendered,
    requestId: input.requestId,
  });
}
