import { TRPCError } from '@trpc/server';
import { sql } from 'slonik';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { mutableRows } from '../../db/rows.ts';
import type { Tx } from '../../db/tx.ts';
import { createGraphClient, type GraphClient } from '../../whatsapp/graph-client.ts';
import { GraphApiError } from '../../whatsapp/errors.ts';
import type { PhoneNumber } from '../../whatsapp/graph-schemas.ts';
import { generateToken } from '../auth/tokens.ts';
import { appSecretFingerprint, secretContext } from '../webhooks/webhook-secrets.ts';
import { sandboxGraphPath } from './sandbox.ts';
import { channelViewSchema, type ChannelView } from './schemas.ts';

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
    sql.type(z.object({ accessToken: z.instanceof(Buffer), accessTokenKeyId: z.string() }))`
      select access_token as "accessToken", access_token_key_id as "accessTokenKeyId"
      from app_public.channel_access_token(${channelId})
    `,
  );
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

/**
 * The channels a settings page shows, each with its numbers: one query whose columns are the output's
 * names, so `channelViewSchema` is both the row type and the procedure's output.
 */
export function listChannels(tx: Tx, publicUrl: string, channelId?: string): Promise<ChannelView[]> {
  const only = channelId ? sql.fragment`where c.id = ${channelId}` : sql.fragment``;
  return mutableRows(
    tx.any(sql.type(channelViewSchema)`
    select c.id, c.name, c.meta_app_id as "metaAppId", c.waba_id as "wabaId", c.graph_api_version as "graphApiVersion",
           c.status, ${publicUrl} || '/webhooks/whatsapp/' || c.app_key as "webhookUrl",
           c.token_expires_at as "tokenExpiresAt", c.last_tested_at as "lastTestedAt", c.last_test_error as "lastTestError",
           case when c.account_event is not null and c.account_event_at is not null
                then json_build_object('event', c.account_event, 'at', app_public.iso_time(c.account_event_at)) end as "accountEvent",
           c.graph_api_base_url as "graphApiBaseUrl",
           coalesce(c.graph_api_base_url = ${sandboxGraphPath}, false) as "isSandbox",
           c.send_read_receipts as "sendReadReceipts",
           json_build_object('count', c.rejected_signatures,
                             'lastAt', app_public.iso_time(c.last_rejected_signature_at)) as "rejectedSignatures",
           coalesce((
             select json_agg(json_build_object(
                      'id', p.id, 'phoneNumberId', p.phone_number_id, 'displayPhoneNumber', p.display_phone_number,
                      'verifiedName', p.verified_name, 'qualityRating', p.quality_rating,
                      'messagingLimitTier', p.messaging_limit_tier, 'throughputMps', p.throughput_mps, 'status', p.status)
                    order by p.display_phone_number)
             from app_public.phone_numbers p where p.channel_id = c.id
           ), '[]') as "phoneNumbers"
    from app_public.channels c
    ${only}
    order by c.created_at
  `),
  );
}
