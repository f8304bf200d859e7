import { z } from 'zod';
import { mutableRows } from '../../db/rows.ts';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { rest } from '../../trpc/rest.ts';
import { deleteEndpoint, listDeliveries, listEndpoints } from './queries.ts';
import {
  createEndpointSchema,
  deliverySchema,
  endpointSchema,
  endpointWithSecretSchema,
  listDeliveriesSchema,
  updateEndpointSchema,
  webhookEventTypes,
} from './schemas.ts';
import {
  changeEndpoint,
  checkTarget,
  createEndpoint,
  endpointNotFound,
  replayDelivery,
  rotateSecret,
} from './service.ts';

const byId = z.object({ id: z.uuid() });

const signing = `Each delivery is a POST of JSON \`{"id", "type", "createdAt", "data"}\` signed with the endpoint's
secret: \`Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">\`. Recompute the HMAC
over the raw bytes, compare in constant time, and refuse a \`t\` more than 300 s from your clock (replay
window); \`id\` is the event's id, the same in a replayed delivery, so deduplicate on it. Answer 2xx within
10 s; anything else is retried with exponential backoff, and an endpoint failing for 24 hours is disabled.`;

/** Outbound webhooks: endpoints a workspace's integrators register, and the delivery log (admins). */
export const webhookEndpointRouter = router({
  /** The event types an endpoint may subscribe to. */
  eventTypes: tenantProcedure('admin')
    .output(z.array(z.string()))
    .query(() => [...webhookEventTypes]),

  list: tenantProcedure('admin')
    .meta(rest('GET', '/webhook-endpoints', 'Outbound webhooks', 'List webhook endpoints'))
    .output(z.array(endpointSchema))
    .query(({ ctx }) => ctx.withTenant((tx) => mutableRows(tx.any(listEndpoints())))),

  /** Registers an endpoint; its signing secret is answered this once (stored encrypted, never shown again). */
  create: tenantProcedure('admin')
    .meta(
      rest(
        'POST',
        '/webhook-endpoints',
        'Outbound webhooks',
        'Register a webhook endpoint',
        `The answer holds \`secret\`, shown only this once. ${signing}`,
      ),
    )
    .input(createEndpointSchema)
    .output(endpointWithSecretSchema)
    .mutation(({ ctx, input }) => {
      checkTarget(input.url, ctx.services.config.outboundWebhooksAllowPrivate);
      return ctx.withTenant((tx) => createEndpoint(tx, ctx.services.keyring, input));
    }),

  /** Changes the URL, description or events, or turns the endpoint off or back on (which forgets its failures). */
  update: tenantProcedure('admin')
    .meta(rest('PATCH', '/webhook-endpoints/{id}', 'Outbound webhooks', 'Change a webhook endpoint'))
    .input(updateEndpointSchema)
    .output(endpointSchema)
    .mutation(({ ctx, input }) => {
      if (input.url) checkTarget(input.url, ctx.services.config.outboundWebhooksAllowPrivate);
      return ctx.withTenant((tx) => changeEndpoint(tx, input));
    }),

  delete: tenantProcedure('admin')
    .meta(rest('DELETE', '/webhook-endpoints/{id}', 'Outbound webhooks', 'Delete a webhook endpoint'))
    .input(byId)
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const gone = await ctx.withTenant((tx) => tx.maybeOne(deleteEndpoint(input.id)));
      if (!gone) throw endpointNotFound();
      return gone;
    }),

  /** A new signing secret, answered this once; the old one stops signing at once. */
  rotateSecret: tenantProcedure('admin')
    .meta(
      rest(
        'POST',
        '/webhook-endpoints/{id}/secret',
        'Outbound webhooks',
        "Replace an endpoint's signing secret",
      ),
    )
    .input(byId)
    .output(endpointWithSecretSchema)
    .mutation(({ ctx, input }) => ctx.withTenant((tx) => rotateSecret(tx, ctx.services.keyring, input.id))),

  /** The delivery log of one endpoint: newest first, with each one's last answer, duration and attempts. */
  deliveries: tenantProcedure('admin')
    .meta(
      rest(
        'GET',
        '/webhook-endpoints/{endpointId}/deliveries',
        'Outbound webhooks',
        "An endpoint's delivery log",
        "Newest first. Cursor pagination: pass the last row's `id` as `cursor` for the next page; an empty page is the end.",
      ),
    )
    .input(listDeliveriesSchema)
    .output(z.array(deliverySchema))
    .query(({ ctx, input }) => ctx.withTenant((tx) => mutableRows(tx.any(listDeliveries(input))))),

  /** Sends a delivery's event again (a new delivery in the log, with the same event id). */
  replay: tenantProcedure('admin')
    .meta(rest('POST', '/webhook-deliveries/{id}/replay', 'Outbound webhooks', 'Replay a delivery'))
    .input(byId)
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) =>
      ctx.withOutbox((tx, outbox) => replayDelivery(tx, outbox, ctx.tenantId, input.id)),
    ),
});
