import { TRPCError } from '@trpc/server';
import { sql } from 'slonik';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import type { Tx } from '../../db/tx.ts';
import { createGraphClient, type GraphClient } from '../../whatsapp/graph-client.ts';
import { GraphApiError } from '../../whatsapp/errors.ts';
import type { PhoneNumber } from '../../whatsapp/graph-schemas.ts';
import { generateToken } from '../auth/tokens.ts';
import { appSecretFingerprint, secretContext } from '../webhooks/webhook-secrets.ts';
import { sandboxGraphPath } from './sandbox.ts';
import type { ChannelView } from './schemas.ts';

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

function sealed(
  services: AppServices,
  channelId: string,
  name: 'app_secret' | 'access_token' | 'verify_token',
  value: string,
) {
  const { keyId, data } = services.keyring.encrypt(value, secretContext(channelId, name));
  return { keyId, data };
}

export async function storeSecrets(
  tx: Tx,
  services: AppServices,
  channelId: string,
  secrets: { appSecret: string; accessToken: string; verifyToken: string },
): Promise<void> {
  const app = sealed(services, channelId, 'app_secret', secrets.appSecret);
  const access = sealed(services, channelId, 'access_token', secrets.accessToken);
  const verify = sealed(services, channelId, 'verify_token', secrets.verifyToken);
  await tx.query(sql.unsafe`
    select app_public.set_channel_secrets(
      ${channelId},
      ${sql.binary(app.data)}, ${app.keyId}, ${sql.binary(appSecretFingerprint(secrets.appSecret))},
      ${sql.binary(access.data)}, ${access.keyId},
      ${sql.binary(verify.data)}, ${verify.keyId}
    )
  `);
}

export async function readSecrets(tx: Tx, services: AppServices, channelId: string) {
  const row = await tx.maybeOne(
    sql.type(z.object({ access_token: z.instanceof(Buffer), access_token_key_id: z.string() }))`
      select * from app_public.channel_access_token(${channelId})
    `,
  );
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such channel.' });
  return {
    accessToken: services.keyring.decrypt(
      { keyId: row.access_token_key_id, data: row.access_token },
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
    const tier = typeof number.messaging_limit_tier === 'string' ? number.messaging_limit_tier : null;
    await tx.query(sql.unsafe`
      insert into app_public.phone_numbers
        (tenant_id, channel_id, phone_number_id, display_phone_number, verified_name, quality_rating, messaging_limit_tier, throughput_mps)
      values (${tenantId}, ${channelId}, ${number.id}, ${number.display_phone_number}, ${number.verified_name},
              ${number.quality_rating ?? null}, ${tier}, ${throughputFor(number)})
      on conflict (phone_number_id) do update set
        display_phone_number = excluded.display_phone_number,
        verified_name = excluded.verified_name,
        quality_rating = coalesce(excluded.quality_rating, phone_numbers.quality_rating),
        messaging_limit_tier = coalesce(excluded.messaging_limit_tier, phone_numbers.messaging_limit_tier)
    `);
  }
}

export function newAppKey(): string {
  return generateToken(20); // 32 base32 characters
}

const channelRow = z.object({
  id: z.string(),
  name: z.string(),
  meta_app_id: z.string(),
  waba_id: z.string(),
  app_key: z.string(),
  graph_api_version: z.string(),
  status: z.enum(['active', 'needs_reauth', 'disabled']),
  token_expires_at: z.string().nullable(),
  last_tested_at: z.string().nullable(),
  last_test_error: z.string().nullable(),
  account_event: z.string().nullable(),
  account_event_at: z.string().nullable(),
  graph_api_base_url: z.string().nullable(),
  send_read_receipts: z.boolean(),
  rejected_signatures: z.coerce.number(),
  last_rejected_signature_at: z.string().nullable(),
});
const numberRow = z.object({
  id: z.string(),
  channel_id: z.string(),
  phone_number_id: z.string(),
  display_phone_number: z.string(),
  verified_name: z.string().nullable(),
  quality_rating: z.string().nullable(),
  messaging_limit_tier: z.string().nullable(),
  throughput_mps: z.number(),
  status: z.string().nullable(),
});

export async function listChannels(tx: Tx, publicUrl: string, channelId?: string): Promise<ChannelView[]> {
  const channels = await tx.any(sql.type(channelRow)`
    select id, name, meta_app_id, waba_id, app_key, graph_api_version, status, token_expires_at, last_tested_at, last_test_error,
           account_event, account_event_at, graph_api_base_url, send_read_receipts, rejected_signatures,
           last_rejected_signature_at
    from app_public.channels
    where ${channelId ?? null}::uuid is null or id = ${channelId ?? null}
    order by created_at
  `);
  const numbers = await tx.any(sql.type(numberRow)`
    select id, channel_id, phone_number_id, display_phone_number, verified_name, quality_rating, messaging_limit_tier, throughput_mps, status
    from app_public.phone_numbers order by display_phone_number
  `);
  return channels.map((c) => ({
    id: c.id,
    name: c.name,
    metaAppId: c.meta_app_id,
    wabaId: c.waba_id,
    graphApiVersion: c.graph_api_version,
    status: c.status,
    webhookUrl: `${publicUrl}/webhooks/whatsapp/${c.app_key}`,
    tokenExpiresAt: c.token_expires_at,
    lastTestedAt: c.last_tested_at,
    lastTestError: c.last_test_error,
    accountEvent:
      c.account_event && c.account_event_at ? { event: c.account_event, at: c.account_event_at } : null,
    graphApiBaseUrl: c.graph_api_base_url,
    isSandbox: c.graph_api_base_url === sandboxGraphPath,
    sendReadReceipts: c.send_read_receipts,
    rejectedSignatures: { count: c.rejected_signatures, lastAt: c.last_rejected_signature_at },
    phoneNumbers: numbers
      .filter((n) => n.channel_id === c.id)
      .map((n) => ({
        id: n.id,
        phoneNumberId: n.phone_number_id,
        displayPhoneNumber: n.display_phone_number,
        verifiedName: n.verified_name,
        qualityRating: n.quality_rating,
        messagingLimitTier: n.messaging_limit_tier,
        throughputMps: n.throughput_mps,
        status: n.status,
      })),
  }));
}
