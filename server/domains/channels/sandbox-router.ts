import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { tenantProcedure } from '../../trpc/init.ts';
import { text } from '../../trpc/text.ts';
import { channelViewSchema } from './schemas.ts';
import { sandboxCustomerMessage, sandboxThreadSchema } from './sandbox-schemas.ts';
import { customerSends, ensureSandboxChannel, sandboxThread, startSandbox } from './sandbox-service.ts';
import { listChannels } from './service.ts';
import { syncAfterConnect } from '../templates/service.ts';

/** channel.trySandbox and the Customer panel's procedures (merged into the channel router). */
export const sandboxProcedures = {
  /**
   * "Try the sandbox": gives the workspace a channel backed by this server's simulator, with matching
   * secrets and webhooks already registered. Idempotent: a workspace has at most one sandbox channel.
   */
  trySandbox: tenantProcedure('admin', { apiKeys: false })
    .output(channelViewSchema)
    .mutation(async ({ ctx }) => {
      const channelId = await startSandbox(ctx);
      await syncAfterConnect(ctx, channelId);
      const [channel] = await ctx.withTenant((tx) =>
        listChannels(tx, ctx.services.config.publicUrl, channelId),
      );
      if (!channel) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR' });
      return channel;
    }),

  /** The sandbox customer writes to the workspace: any inbound type, delivered as Meta's signed webhook. */
  sandboxCustomerSends: tenantProcedure('agent')
    .input(
      z.object({
        channelId: z.uuid(),
        customer: z.object({
          waId: z.string().regex(/^\d{6,15}$/, 'A phone number in digits, with country code.'),
          name: text({ min: 1, max: 60 }).optional(),
        }),
        message: sandboxCustomerMessage,
      }),
    )
    .output(z.object({ wamid: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const channel = await ensureSandboxChannel(ctx, input.channelId);
      return customerSends(ctx.services, channel, input.customer, input.message);
    }),

  /** What the sandbox customer's phone shows: the business's messages with their ticks, and theirs. */
  sandboxThread: tenantProcedure('viewer')
    .input(z.object({ channelId: z.uuid(), waId: z.string().regex(/^\d{6,15}$/) }))
    .output(sandboxThreadSchema)
    .query(async ({ ctx, input }) => {
      const channel = await ensureSandboxChannel(ctx, input.channelId);
      return sandboxThread(ctx.services, channel, input.waId);
    }),
};
