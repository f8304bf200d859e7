import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { InboundMessage } from '../inbound.ts';
import type { CustomerProfile } from '../options.ts';
import type { SimulatorState } from '../state.ts';
import type { WebhookDeliveryRecord } from '../webhook-delivery.ts';

const customerMessageBody = z.object({
  phoneNumberId: z.string(),
  from: z.string(),
  message: z.looseObject({ type: z.string() }),
  profile: z.object({ name: z.string().optional(), userId: z.string().optional() }).optional(),
  /** The customer wrote this long ago (a delivery Meta retried late): its window may be closed already. */
  sentSecondsAgo: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .optional(),
});

const webhookTargetBody = z.object({
  url: z.url(),
  appSecret: z.string().min(1),
  wabaId: z.string().optional(),
});

/**
 * /_simulator/*: drives a simulator running in another process (the sandbox, e2e tests). Local use only:
 * no auth, so main.ts binds to 127.0.0.1 by default.
 */
export function controlRoutes(
  app: FastifyInstance,
  deps: {
    state: SimulatorState;
    customerSends: (
      phoneNumberId: string,
      from: string,
      message: InboundMessage,
      profile?: Partial<Omit<CustomerProfile, 'waId'>>,
      options?: { at?: number },
    ) => { wamid: string };
    log: () => readonly WebhookDeliveryRecord[];
  },
): void {
  app.post('/_simulator/customer-messages', async (request, reply) => {
    const parsed = customerMessageBody.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    const { phoneNumberId, from, message, profile, sentSecondsAgo } = parsed.data;
    if (!deps.state.phoneNumber(phoneNumberId))
      return reply.code(404).send({ error: 'unknown phone number' });
    const profileInput: Partial<Omit<CustomerProfile, 'waId'>> = {};
    if (profile?.name) profileInput.name = profile.name;
    if (profile?.userId) profileInput.userId = profile.userId;
    const { wamid } = deps.customerSends(
      phoneNumberId,
      from,
      message as InboundMessage,
      profileInput,
      sentSecondsAgo === undefined ? {} : { at: deps.state.now() - sentSecondsAgo * 1000 },
    );
    return reply.send({ wamid });
  });

  app.put('/_simulator/webhook', async (request, reply) => {
    const parsed = webhookTargetBody.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    const { wabaId, ...target } = parsed.data;
    deps.state.setWebhookTarget(target, wabaId);
    return reply.code(204).send();
  });

  app.get('/_simulator/messages', async () => deps.state.outboundMessages());

  app.get('/_simulator/webhooks', async () =>
    deps
      .log()
      .map(({ id, kind, wabaId, url, state, attempts }) => ({ id, kind, wabaId, url, state, attempts })),
  );
}
