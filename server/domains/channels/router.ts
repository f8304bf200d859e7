import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { rest } from '../../trpc/rest.ts';
import { syncAfterConnect } from '../templates/service.ts';
import { sandboxProcedures } from './sandbox-router.ts';
import {
  channelViewSchema,
  connectChannelInput,
  connectionReportSchema,
  updateCredentialsInput,
} from './schemas.ts';
import {
  changeReadReceipts,
  changeThroughput,
  connectChannel,
  disable,
  listChannels,
  testChannel,
  updateCredentials,
} from './service.ts';

const ok = z.object({ ok: z.literal(true) });
const done = { ok: true as const };

export const channelRouter = router({
  /**
   * Connects a Meta app and WhatsApp Business Account: checks the token and finds the numbers through
   * the Graph API first, then stores everything (secrets encrypted) and subscribes the app to webhooks.
   */
  connect: tenantProcedure('admin', { apiKeys: false })
    .input(connectChannelInput)
    .output(z.object({ channel: channelViewSchema, report: connectionReportSchema }))
    .mutation(async ({ ctx, input }) => {
      const connected = await connectChannel(ctx, input);
      await syncAfterConnect(ctx, connected.channel.id);
      return connected;
    }),

  list: tenantProcedure('viewer')
    .meta(rest('GET', '/channels', 'Channels', 'List channels and their numbers'))
    .output(z.array(channelViewSchema))
    .query(({ ctx }) => ctx.withTenant((tx) => listChannels(tx, ctx.services.config.publicUrl))),

  /** "Test connection": token validity and expiry, and the numbers Meta lists now (synced into Parley). */
  test: tenantProcedure('admin')
    .meta(rest('POST', '/channels/{channelId}/test', 'Channels', "Check a channel's connection"))
    .input(z.object({ channelId: z.uuid() }))
    .output(connectionReportSchema)
    .mutation(({ ctx, input }) => testChannel(ctx, input.channelId)),

  /** Replaces the access token (and optionally the app secret and verify token), e.g. after expiry. */
  updateCredentials: tenantProcedure('admin', { apiKeys: false })
    .input(updateCredentialsInput)
    .output(connectionReportSchema)
    .mutation(({ ctx, input }) => updateCredentials(ctx, input)),

  /** Messages per second the sender may use on a number (Meta: 80 by default, up to 1000 when upgraded). */
  setThroughput: tenantProcedure('admin')
    .input(z.object({ phoneNumberId: z.uuid(), messagesPerSecond: z.number().int().min(1).max(1000) }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await changeThroughput(ctx, input.phoneNumberId, input.messagesPerSecond);
      return done;
    }),

  /** Whether opening a conversation marks the customer's messages read on their phone (blue ticks). */
  setReadReceipts: tenantProcedure('admin')
    .meta(rest('PUT', '/channels/{channelId}/read-receipts', 'Channels', 'Turn read receipts on or off'))
    .input(z.object({ channelId: z.uuid(), enabled: z.boolean() }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await changeReadReceipts(ctx, input.channelId, input.enabled);
      return done;
    }),

  ...sandboxProcedures,

  /** Stops accepting the channel's webhooks and sending through it; history stays. */
  disable: tenantProcedure('admin', { apiKeys: false })
    .input(z.object({ channelId: z.uuid() }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await disable(ctx, input.channelId);
      return done;
    }),
});
