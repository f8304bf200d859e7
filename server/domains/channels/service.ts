import { TRPCError } from '@trpc/server';
import type { AppServices } from '../../app-services.ts';
import { mutableRows } from '../../db/rows.ts';
import type { InTransaction, Tx } from '../../db/tx.ts';
import type { Logger } from '../../logger.ts';
import { createGraphClient, type GraphClient } from '../../whatsapp/graph-client.ts';
import { GraphApiError } from '../../whatsapp/errors.ts';
import type { PhoneNumber } from '../../whatsapp/graph-schemas.ts';
import { generateToken } from '../auth/tokens.ts';
import { appSecretFingerprint, secretContext } from './secrets.ts';
import { sandboxGraphPath } from './sandbox.ts';
import {
  channelViews,
  disableChannel,
  insertChannel,
  recordRenewedCredentials,
  recordTest,
  sealedAccessToken,
  sealedWebhookSecrets,
  setChannelSecrets,
  setReadReceipts,
  setThroughput,
  upsertPhoneNumber,
} from './queries.ts';
import type { ChannelView, connectChannelInput, updateCredentialsInput } from './schemas.ts';
import type { z } from 'zod';

/** What "Test connection" found, before anything is stored. */
export interface Probe {
  tokenValid: boolean;
  tokenExpiresAt: string | null;
  numbers: PhoneNumber[];
  problem: string | null;
}

/**
 * The Graph client for a channel: Meta (GRAPH_API_BASE_URL) unless the channel stores its own base
 * URL; sandbox channels reach this server's in-process simulator.
 */
export function channelGraph(
  services: AppServices,
  channel: { graphApiBaseUrl: string | null; graphApiVersion: string },
  accessToken: string,
): GraphClient {
  if (channel.graphApiBaseUrl === sandboxGraphPath) {
    if (!services.sandbox) {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: 'This is a sandbox channel, and the sandbox is turned off on this server (SANDBOX=on).',
      });
    }
    return createGraphClient({
      baseUrl: services.sandbox.baseUrl,
      apiVersion: channel.graphApiVersion,
      accessToken,
      fetch: services.sandbox.fetch,
    });
  }
  return createGraphClient({
    baseUrl: channel.graphApiBaseUrl ?? services.config.graphApiBaseUrl,
    apiVersion: channel.graphApiVersion,
    accessToken,
  });
}

/** Asks the Graph API whether the token works and which numbers the WABA has; Meta's refusal becomes a 400 that says why. */
export async function probeChannel(
  services: AppServices,
  input: { accessToken: string; wabaId: string; graphApiVersion: string; graphApiBaseUrl?: string | null },
): Promise<Probe> {
  const graph = channelGraph(
    services,
    { graphApiBaseUrl: input.graphApiBaseUrl ?? null, graphApiVersion: input.graphApiVersion },
    input.accessToken,
  );
  try {
    const token = await graph.checkToken();
    if (!token.valid)
      return {
        tokenValid: false,
        tokenExpiresAt: null,
        numbers: [],
        problem: token.problem ?? 'Meta says this access token is not valid.',
      };
    const numbers = await graph.listPhoneNumbers(input.wabaId);
    return {
      tokenValid: true,
      tokenExpiresAt: token.expiresAt?.toISOString() ?? null,
      numbers,
      problem: null,
    };
  } catch (error) {
    if (error instanceof GraphApiError) {
      return {
        tokenValid: error.code !== 190,
        tokenExpiresAt: null,
        numbers: [],
        problem: `Meta refused: ${error.message}`,
      };
    }
    throw error;
  }
}

type SecretName = 'app_secret' | 'access_token' | 'verify_token';

function sealed(services: AppServices, channelId: string, name: SecretName, value: string) {
  return services.keyring.encrypt(value, secretContext(channelId, name));
}

/** Stores a channel's three secrets encrypted, each bound to its channel and name. */
export async function storeSecrets(
  tx: Tx,
  services: AppServices,
  channelId: string,
  secrets: { appSecret: string; accessToken: string; verifyToken: string },
): Promise<void> {
  await tx.query(
    setChannelSecrets(channelId, {
      app: sealed(services, channelId, 'app_secret', secrets.appSecret),
      appFingerprint: appSecretFingerprint(secrets.appSecret),
      access: sealed(services, channelId, 'access_token', secrets.accessToken),
      verify: sealed(services, channelId, 'verify_token', secrets.verifyToken),
    }),
  );
}

export async function readSecrets(tx: Tx, services: AppServices, channelId: string) {
  const row = await tx.maybeOne(sealedAccessToken(channelId));
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such channel.' });
  return {
    accessToken: services.keyring.decrypt(
      { keyId: row.accessTokenKeyId, data: row.accessToken },
      secretContext(channelId, 'access_token'),
    ),
  };
}

/** Meta's throughput levels: STANDARD is 80 messages per second, HIGH up to 1,000 (Cloud API throughput docs). */
function throughputFor(number: PhoneNumber): number {
  return number.throughput?.level === 'HIGH' ? 1000 : 80;
}

/**
 * Adds or refreshes the numbers Meta lists for a channel. Throughput is set from Meta's level when a
 * number first appears; later an admin's setting wins (channel.setThroughput).
 */
export async function syncPhoneNumbers(
  tx: Tx,
  tenantId: string,
  channelId: string,
  numbers: PhoneNumber[],
): Promise<void> {
  for (const number of numbers) {
    await tx.query(upsertPhoneNumber(tenantId, channelId, number, throughputFor(number)));
  }
}

export function newAppKey(): string {
  return generateToken(20); // 32 base32 characters
}

export function listChannels(tx: Tx, publicUrl: string, channelId?: string): Promise<ChannelView[]> {
  return mutableRows(tx.any(channelViews(publicUrl, channelId)));
}

/** What a procedure acting for a tenant hands the channel rules. */
export interface TenantScope {
  services: AppServices;
  tenantId: string;
  logger: Logger;
  withTenant: InTransaction;
}

/** The connection report the settings page shows: what Meta said of the token and the numbers. */
export function connectionReport(probe: Probe) {
  return {
    tokenValid: probe.tokenValid,
    tokenExpiresAt: probe.tokenExpiresAt,
    phoneNumbers: probe.numbers.map((n) => ({
      phoneNumberId: n.id,
      displayPhoneNumber: n.display_phone_number,
      verifiedName: n.verified_name,
    })),
    problem: probe.problem,
  };
}

async function channelView(scope: TenantScope, channelId: string): Promise<ChannelView> {
  const [channel] = await scope.withTenant((tx) =>
    listChannels(tx, scope.services.config.publicUrl, channelId),
  );
  if (!channel) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such channel.' });
  return channel;
}

/**
 * Connects a Meta app and WhatsApp Business Account: checks the token and finds the numbers through
 * the Graph API first, then stores everything (secrets encrypted) and subscribes the app to webhooks.
 */
export async function connectChannel(scope: TenantScope, input: z.infer<typeof connectChannelInput>) {
  const { services } = scope;
  const graphApiVersion = input.graphApiVersion ?? services.config.graphApiVersion;
  const probe = await probeChannel(services, {
    accessToken: input.accessToken,
    wabaId: input.wabaId,
    graphApiVersion,
  });
  if (probe.problem) throw new TRPCError({ code: 'BAD_REQUEST', message: probe.problem });
  const channelId = await scope.withTenant(async (tx) => {
    const id = await tx.oneFirst(
      insertChannel({
        tenantId: scope.tenantId,
        name: input.name,
        metaAppId: input.metaAppId,
        wabaId: input.wabaId,
        appKey: newAppKey(),
        graphApiVersion,
        tokenExpiresAt: probe.tokenExpiresAt,
      }),
    );
    await storeSecrets(tx, services, id, input);
    await syncPhoneNumbers(tx, scope.tenantId, id, probe.numbers);
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
      scope.logger.warn({ err: error, channelId }, 'subscribing the app to webhooks failed'),
    );
  return { channel: await channelView(scope, channelId), report: connectionReport(probe) };
}

/** "Test connection": token validity and expiry, and the numbers Meta lists now (synced into Parley). */
export async function testChannel(scope: TenantScope, channelId: string) {
  const { services } = scope;
  const channel = await channelView(scope, channelId);
  const { accessToken } = await scope.withTenant((tx) => readSecrets(tx, services, channelId));
  const probe = await probeChannel(services, { accessToken, ...channel });
  await scope.withTenant(async (tx) => {
    await tx.query(recordTest(channelId, probe));
    await syncPhoneNumbers(tx, scope.tenantId, channelId, probe.numbers);
  });
  return connectionReport(probe);
}

/** Replaces the access token (and optionally the app secret and verify token), e.g. after expiry. */
export async function updateCredentials(scope: TenantScope, input: z.infer<typeof updateCredentialsInput>) {
  const { services } = scope;
  const channel = await channelView(scope, input.channelId);
  const probe = await probeChannel(services, { ...channel, accessToken: input.accessToken });
  if (probe.problem) throw new TRPCError({ code: 'BAD_REQUEST', message: probe.problem });
  await scope.withTenant(async (tx) => {
    const current = await tx.one(sealedWebhookSecrets(input.channelId));
    const keep = (name: SecretName, data: Buffer, keyId: string) =>
      services.keyring.decrypt({ keyId, data }, secretContext(input.channelId, name));
    await storeSecrets(tx, services, input.channelId, {
      accessToken: input.accessToken,
      appSecret: input.appSecret ?? keep('app_secret', current.appSecret, current.appSecretKeyId),
      verifyToken: input.verifyToken ?? keep('verify_token', current.verifyToken, current.verifyTokenKeyId),
    });
    await tx.query(recordRenewedCredentials(input.channelId, probe.tokenExpiresAt));
  });
  return connectionReport(probe);
}

/** One update to a channel setting; an id the tenant cannot see is a 404 that names what is missing. */
async function updateOne(scope: TenantScope, query: ReturnType<typeof setThroughput>, missing: string) {
  const result = await scope.withTenant((tx) => tx.query(query));
  if (result.rowCount === 0) throw new TRPCError({ code: 'NOT_FOUND', message: missing });
}

export const changeThroughput = (scope: TenantScope, phoneNumberId: string, messagesPerSecond: number) =>
  updateOne(scope, setThroughput(phoneNumberId, messagesPerSecond), 'No such phone number.');

export const changeReadReceipts = (scope: TenantScope, channelId: string, enabled: boolean) =>
  updateOne(scope, setReadReceipts(channelId, enabled), 'No such channel.');

export const disable = (scope: TenantScope, channelId: string) =>
  updateOne(scope, disableChannel(channelId), 'No such channel.');
