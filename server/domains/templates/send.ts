import { TRPCError } from '@trpc/server';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';
import { graphTemplateMessage, renderTemplate, templateValuesSchema, valueProblems } from './render.ts';

/** message.sendTemplate's input: which template (by name and language) and the values it needs. */
export const sendTemplateInput = z.object({
  conversationId: z.uuid(),
  name: z.string().trim().min(1, 'Choose a template.').max(512),
  language: z.string().trim().min(2, 'Choose a language.').max(20),
  values: templateValuesSchema.default({ body: {}, header: {}, buttons: {} }),
});

const target = z.object({
  waId: z.string().nullable(),
  channelId: z.string(),
  template: z
    .object({ name: z.string(), language: z.string(), status: z.string(), components: z.unknown() })
    .nullable(),
});

/**
 * Queues a template message, allowed whether or not the 24-hour window is open: the template must be
 * approved on the conversation's account, and the values must match its variables (count and names)
 * and buttons. The message keeps what the customer will see (`rendered`) and the Graph payload.
 */
export async function createTemplateMessage(
  tx: Tx,
  input: z.infer<typeof sendTemplateInput> & { tenantId: string },
): Promise<string> {
  await tx.query(sql.unsafe`select app_public.assert_tenant_active()`);
  const found = await tx.maybeOne(sql.type(target)`
    select k.wa_id as "waId", p.channel_id as "channelId",
           (select jsonb_build_object('name', t.name, 'language', t.language, 'status', t.status, 'components', t.components)
            from app_public.templates t
            where t.channel_id = p.channel_id and t.name = ${input.name} and t.language = ${input.language}) as template
    from app_public.conversations c
    join app_public.contacts k on k.id = c.contact_id
    join app_public.phone_numbers p on p.id = c.phone_number_id
    where c.id = ${input.conversationId}
  `);
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
  if (!found.waId) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: 'This contact has no phone number to send to yet.',
    });
  }
  const problems = valueProblems(template.components, input.values);
  if (problems.length > 0) throw new TRPCError({ code: 'BAD_REQUEST', message: problems.join(' ') });
  const rendered = renderTemplate(template.components, input.values);
  const content = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: found.waId,
    type: 'template',
    template: graphTemplateMessage(template, input.values),
  };
  const id = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into app_public.messages (tenant_id, conversation_id, direction, type, body, content, rendered, status, occurred_at)
    values (${input.tenantId}, ${input.conversationId}, 'outbound', 'template', ${rendered.body},
            ${sql.jsonb(content)}, ${sql.jsonb(rendered)}, 'pending', now())
    returning id
  `);
  await tx.query(sql.unsafe`
    update app_public.conversations set last_message_at = now(), last_message_preview = ${rendered.body}, unread_count = 0
    where id = ${input.conversationId}
  `);
  return id;
}
