import { TRPCError } from '@trpc/server';
import { sql } from 'slonik';
import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { createGraphClient } from '../../whatsapp/graph-client.ts';
import {
  channelViewSchema,
  connectChannelInput,
  connectionReportSchema,
  updateCredentialsInput,
} from './schemas.ts';
import { secretContext } from '../webhooks/webhook-secrets.ts';
import { sandboxProcedures } from './sandbox-router.ts';
import {
  listChannels,
  newAppKey,
  probeChannel,
  readSecrets,
  storeSecrets,
  syncPhoneNumbers,
} from './service.ts';

const report = (probe: Awaited<ReturnType<typeof probeChannel>>) => ({
  tokenValid: probe.tokenValid,
  tokenExpiresAt: probe.tokenExpiresAt,
  phoneNumbers: probe.numbers.map((n) => ({
    phoneNumberId: n.id,
    displayPhoneNumber: n.display_phone_number,
    verifiedName: n.verified_name,
  })),
  problem: probe.problem,
});

export const channelRouter = router({
  /**
   * Connects a Meta app and WhatsApp Business Account: checks the token and finds the numbers through
   * the Graph API first, then stores everything (secrets encrypted) and subscribes the app to webhooks.
   */
  connect: tenantProcedure('admin', { apiKeys: false })
    .input(connectChannelInput)
    .output(z.object({ channel: channelViewSchema, report: connectionReportSchema }))
    .mutation(async ({ ctx, input }) => {
      const { services } = ctx;
      const graphApiVersion = input.graphApiVersion ?? services.config.graphApiVersion;
      const probe = await probeChannel(services, {
        accessToken: input.accessToken,
        wabaId: input.wabaId,
        graphApiVersion,
      });
      if (probe.problem) throw new TRPCError({ code: 'BAD_REQUEST', message: probe.problem });
      const channelId = await ctx.withTenant(async (tx) => {
        const id = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
          insert into app_public.channels (tenant_id, name, meta_app_id, waba_id, app_key, graph_api_version, token_expires_at, last_tested_at)
          values (${ctx.tenantId}, ${input.name}, ${input.metaAppId}, ${input.wabaId}, ${newAppKey()}, ${graphApiVersion}, ${probe.tokenExpiresAt}, now())
          returning id
        `);
        await storeSecrets(tx, services, id, input);
        await syncPhoneNumbers(tx, ctx.tenantId, id, probe.numbers);
        return id;
      });
      // Subscribing after commit: a failure here leaves a working channel whose test shows the problem.
      await createGraphClient({
        baseUrl: services.config.graphApiBaseUrl,
        apiVersion: graphApiVersion,
        accessToken: input.accessToken,
      })
        .subscribeApp(input.wabaId)
        .catch((error: unknown) =>
          ctx.logger.warn({ err: error, channelId }, 'subscribing the app to webhooks failed'),
        );
      const [channel] = await ctx.withTenant((tx) => listChannels(tx, services.config.publicUrl, channelId));
      if (!channel) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR' });
      return { channel, report: report(probe) };
    }),

  list: tenantProcedure('viewer')
    .output(z.array(channelViewSchema))
    .query(({ ctx }) => ctx.withTenant((tx) => listChannels(tx, ctx.services.config.publicUrl))),

  /** "Test connection": token validity and expiry, and the numbers Meta lists now (synced into Parley). */
  test: tenantProcedure('admin')
    .input(z.object({ channelId: z.uuid() }))
    .output(connectionReportSchema)
    .mutation(async ({ ctx, input }) => {
      const { services } = ctx;
      const [channel] = await ctx.withTenant((tx) =>
        listChannels(tx, services.config.publicUrl, input.channelId),
      );
      if (!channel) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such channel.' });
      const { accessToken } = await ctx.withTenant((tx) => readSecrets(tx, services, input.channelId));
      const probe = await probeChannel(services, {
        accessToken,
        wabaId: channel.wabaId,
        graphApiVersion: channel.graphApiVersion,
        graphApiBaseUrl: channel.graphApiBaseUrl,
      });
      await ctx.withTenant(async (tx) => {
        await tx.query(sql.unsafe`
          update app_public.channels set
            last_tested_at = now(),
            last_test_error = ${probe.problem},
            token_expires_at = ${probe.tokenExpiresAt},
            status = case when status = 'disabled' then status when ${probe.tokenValid} then 'active' else 'needs_reauth' end
          where id = ${input.channelId}
        `);
        await syncPhoneNumbers(tx, ctx.tenantId, input.channelId, probe.numbers);
      });
      return report(probe);
    }),

  /** Replaces the access token (and optionally the app secret and verify token), e.g. after expiry. */
  updateCredentials: tenantProcedure('admin', { apiKeys: false })
    .input(updateCredentialsInput)
    .output(connectionReportSchema)
    .mutation(async ({ ctx, input }) => {
      const { services } = ctx;
      const [channel] = await ctx.withTenant((tx) =>
        listChannels(tx, services.config.publicUrl, input.channelId),
      );
      if (!channel) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such channel.' });
      const probe = await probeChannel(services, {
        accessToken: input.accessToken,
        wabaId: channel.wabaId,
        graphApiVersion: channel.graphApiVersion,
        graphApiBaseUrl: channel.graphApiBaseUrl,
      });
      if (probe.problem) throw new TRPCError({ code: 'BAD_REQUEST', message: probe.problem });
      await ctx.withTenant(async (tx) => {
        const current = await tx.one(sql.type(
          z.object({
            appSecret: z.instanceof(Buffer),
            appSecretKeyId: z.string(),
            verifyToken: z.instanceof(Buffer),
            verifyTokenKeyId: z.string(),
          }),
        )`
          select s.app_secret as "appSecret", s.app_secret_key_id as "appSecretKeyId",
                 s.verify_token as "verifyToken", s.verify_token_key_id as "verifyTokenKeyId"
          from app_public.channels c, lateral app_public.channel_webhook_secrets(c.app_key) s
          where c.id = ${input.channelId}
        `);
        const keep = (name: 'app_secret' | 'verify_token', data: Buffer, keyId: string) =>
          services.keyring.decrypt({ keyId, data }, secretContext(input.channelId, name));
        await storeSecrets(tx, services, input.channelId, {
          accessToken: input.accessToken,
          appSecret: input.appSecret ?? keep('app_secret', current.appSecret, current.appSecretKeyId),
          verifyToken:
            input.verifyToken ?? keep('verify_token', current.verifyToken, current.verifyTokenKeyId),
        });
        await tx.query(sql.unsafe`
          update app_public.channels set status = 'active', token_expires_at = ${probe.tokenExpiresAt}, last_tested_at = now(), last_test_error = null
          where id = ${input.channelId}
        `);
      });
      return report(probe);
    }),

  /** Messages per second the sender may use on a number (Meta: 80 by default, up to 1000 when upgraded). */
  setThroughput: tenantProcedure('admin')
    .input(z.object({ phoneNumberId: z.uuid(), messagesPerSecond: z.number().int().min(1).max(1000) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.withTenant((tx) =>
        tx.query(
          sql.unsafe`update app_public.phone_numbers set throughput_mps = ${input.messagesPerSecond} where id = ${input.phoneNumberId}`,
        ),
      );
      if (result.rowCount === 0) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such phone number.' });
      return { ok: true as const };
    }),

  /** Whether opening a conversation marks the customer's messages read on their phone (blue ticks). */
  setReadReceipts: tenantProcedure('admin')
    .input(z.object({ channelId: z.uuid(), enabled: z.boolean() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.withTenant((tx) =>
        tx.query(
          sql.unsafe`update app_public.channels set send_read_receipts = ${input.enabled} where id = ${input.channelId}`,
        ),
      );
      if (result.rowCount === 0) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such channel.' });
      return { ok: true as const };
    }),

  ...sandboxProcedures,

  /** Stops accepting the channel's webhooks and sending through it; history stays. */
  disable: tenantProcedure('admin', { apiKeys: false })
    .input(z.object({ channelId: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.withTenant((tx) =>
        tx.query(
          sql.unsafe`update app_public.channels set status = 'disabled' where id = ${input.channelId}`,
        ),
      );
      if (result.rowCount === 0) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such channel.' });
      return { ok: true as const };
    }),
});
