import { sql } from 'slonik';
import { z } from 'zod';
import type { PhoneNumber } from '../../whatsapp/graph-schemas.ts';
import { sandboxGraphPath } from './sandbox.ts';
import { channelViewSchema } from './schemas.ts';

const idRow = z.object({ id: z.string() });

/**
 * The channels a settings page shows (or one of them), each with its numbers: the columns are the
 * output's names, so `channelViewSchema` is both the row type and channel.list's output.
 */
export function channelViews(publicUrl: string, channelId?: string) {
  const only = channelId ? sql.fragment`where c.id = ${channelId}` : sql.fragment``;
  return sql.type(channelViewSchema)`
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
  `;
}

export function insertChannel(channel: {
  tenantId: string;
  name: string;
  metaAppId: string;
  wabaId: string;
  appKey: string;
  graphApiVersion: string;
  tokenExpiresAt: string | null;
}) {
  return sql.type(idRow)`
    insert into app_public.channels (tenant_id, name, meta_app_id, waba_id, app_key, graph_api_version, token_expires_at, last_tested_at)
    values (${channel.tenantId}, ${channel.name}, ${channel.metaAppId}, ${channel.wabaId}, ${channel.appKey},
            ${channel.graphApiVersion}, ${channel.tokenExpiresAt}, now())
    returning id
  `;
}

/** What "Test connection" found; a disabled channel stays disabled. */
export function recordTest(
  channelId: string,
  test: { problem: string | null; tokenExpiresAt: string | null; tokenValid: boolean },
) {
  return sql.unsafe`
    update app_public.channels set
      last_tested_at = now(),
      last_test_error = ${test.problem},
      token_expires_at = ${test.tokenExpiresAt},
      status = case when status = 'disabled' then status when ${test.tokenValid} then 'active' else 'needs_reauth' end
    where id = ${channelId}
  `;
}

/** New credentials that Meta accepted: the channel works again. */
export function recordRenewedCredentials(channelId: string, tokenExpiresAt: string | null) {
  return sql.unsafe`
    update app_public.channels set status = 'active', token_expires_at = ${tokenExpiresAt}, last_tested_at = now(), last_test_error = null
    where id = ${channelId}
  `;
}

/** The channel's sealed webhook secrets (app secret, verify token), to keep the ones not replaced. */
export function sealedWebhookSecrets(channelId: string) {
  return sql.type(
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
    where c.id = ${channelId}
  `;
}

export function sealedAccessToken(channelId: string) {
  return sql.type(z.object({ accessToken: z.instanceof(Buffer), accessTokenKeyId: z.string() }))`
    select access_token as "accessToken", access_token_key_id as "accessTokenKeyId"
    from app_public.channel_access_token(${channelId})
  `;
}

interface Sealed {
  data: Buffer;
  keyId: string;
}

export function setChannelSecrets(
  channelId: string,
  secrets: { app: Sealed; appFingerprint: Buffer; access: Sealed; verify: Sealed },
) {
  const { app, access, verify } = secrets;
  return sql.unsafe`
    select app_public.set_channel_secrets(
      ${channelId},
      ${sql.binary(app.data)}, ${app.keyId}, ${sql.binary(secrets.appFingerprint)},
      ${sql.binary(access.data)}, ${access.keyId},
      ${sql.binary(verify.data)}, ${verify.keyId}
    )
  `;
}

/** Adds a number Meta lists, or refreshes what Meta says of it; throughput is only set the first time. */
export function upsertPhoneNumber(
  tenantId: string,
  channelId: string,
  number: PhoneNumber,
  firstThroughputMps: number,
) {
  const tier = typeof number.messaging_limit_tier === 'string' ? number.messaging_limit_tier : null;
  return sql.unsafe`
    insert into app_public.phone_numbers
      (tenant_id, channel_id, phone_number_id, display_phone_number, verified_name, quality_rating, messaging_limit_tier, throughput_mps)
    values (${tenantId}, ${channelId}, ${number.id}, ${number.display_phone_number}, ${number.verified_name},
            ${number.quality_rating ?? null}, ${tier}, ${firstThroughputMps})
    on conflict (phone_number_id) do update set
      display_phone_number = excluded.display_phone_number,
      verified_name = excluded.verified_name,
      quality_rating = coalesce(excluded.quality_rating, phone_numbers.quality_rating),
      messaging_limit_tier = coalesce(excluded.messaging_limit_tier, phone_numbers.messaging_limit_tier)
  `;
}

export const setThroughput = (phoneNumberId: string, messagesPerSecond: number) =>
  sql.unsafe`update app_public.phone_numbers set throughput_mps = ${messagesPerSecond} where id = ${phoneNumberId}`;

export const setReadReceipts = (channelId: string, enabled: boolean) =>
  sql.unsafe`update app_public.channels set send_read_receipts = ${enabled} where id = ${channelId}`;

export const disableChannel = (channelId: string) =>
  sql.unsafe`update app_public.channels set status = 'disabled' where id = ${channelId}`;

/** The workspace's sandbox channel, if it has one (the oldest, should there be several). */
export const sandboxChannelId = () => sql.type(idRow)`
  select id from app_public.channels where graph_api_base_url = ${sandboxGraphPath} order by created_at limit 1
`;

export const currentTenantName = () =>
  sql.type(z.object({ name: z.string() }))`select name from app_public.current_tenant()`;

export function insertSandboxChannel(channel: {
  tenantId: string;
  metaAppId: string;
  wabaId: string;
  appKey: string;
  graphApiVersion: string;
}) {
  return sql.type(idRow)`
    insert into app_public.channels (tenant_id, name, meta_app_id, waba_id, app_key, graph_api_base_url, graph_api_version, last_tested_at)
    values (${channel.tenantId}, 'Sandbox', ${channel.metaAppId}, ${channel.wabaId}, ${channel.appKey}, ${sandboxGraphPath},
            ${channel.graphApiVersion}, now())
    returning id
  `;
}

/** A channel's first number and sealed app secret: what the simulator needs to play its Meta. */
export const sandboxChannel = (channelId: string) => sql.type(
  z.object({
    wabaId: z.string(),
    appKey: z.string(),
    graphApiBaseUrl: z.string().nullable(),
    phoneNumberId: z.string(),
    displayPhoneNumber: z.string(),
    verifiedName: z.string().nullable(),
    appSecret: z.instanceof(Buffer),
    appSecretKeyId: z.string(),
  }),
)`
  select c.waba_id as "wabaId", c.app_key as "appKey", c.graph_api_base_url as "graphApiBaseUrl",
         p.phone_number_id as "phoneNumberId", p.display_phone_number as "displayPhoneNumber",
         p.verified_name as "verifiedName", s.app_secret as "appSecret", s.app_secret_key_id as "appSecretKeyId"
  from app_public.channels c
  join app_public.phone_numbers p on p.channel_id = c.id
  cross join lateral app_public.channel_webhook_secrets(c.app_key) s
  where c.id = ${channelId}
  order by p.created_at limit 1
`;
