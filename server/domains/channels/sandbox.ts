import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import type { Logger } from '../../logger.ts';
import { createSimulator, type Simulator } from '../../whatsapp/simulator/simulator.ts';
import { secretContext } from './secrets.ts';

/**
 * The sandbox: Parley's own Cloud API simulator served by the same process under /sandbox/graph, so a
 * newcomer tries the product with one click and nothing to configure. Each workspace gets its own
 * simulated WABA and number; its channel stores `sandboxGraphPath` as its Graph base URL (real
 * channels keep going to Meta). Graph calls and the simulator's signed webhooks travel through
 * Fastify's inject, so the sandbox works whatever address or port the server is reached at. A
 * worker-only process (`worker`, beside separate `serve` processes) has no simulator anyone sees: its
 * Graph calls go over the network to PUBLIC_URL, the web server's simulator behind the Customer panel.
 */

/** What a sandbox channel stores as its Graph base URL: this server's own simulator. */
export const sandboxGraphPath = '/sandbox/graph';
/** The app id the simulator reports for its tokens (debug_token). */
export const sandboxMetaAppId = '100000000000001';

export interface SandboxChannel {
  wabaId: string;
  appKey: string;
  appSecret: string;
  accessToken: string;
  phoneNumber: { id: string; displayPhoneNumber: string; verifiedName: string };
}

export interface Sandbox {
  readonly simulator: Simulator;
  /** Absolute Graph base URL for clients (any host works: requests never leave the process). */
  readonly baseUrl: string;
  /** fetch for Graph clients of sandbox channels: answered by this app's own routes. */
  readonly fetch: typeof fetch;
  /** Gives the simulator a channel's WABA, number, token and webhook target (idempotent). */
  register(channel: SandboxChannel): void;
  close(): Promise<void>;
}

/** A fetch answered by `app.inject`: same routes, same hooks, no socket. */
function injectFetch(getApp: () => FastifyInstance): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const payload = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const response = await getApp().inject({
      method: request.method as 'GET',
      url: `${url.pathname}${url.search}`,
      headers: { ...Object.fromEntries(request.headers), host: url.host },
      ...(payload ? { payload } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      for (const item of ([] as unknown[]).concat(value ?? [])) headers.append(name, String(item));
    }
    const empty = [101, 204, 205, 304].includes(response.statusCode);
    return new Response(empty ? null : new Uint8Array(response.rawPayload), {
      status: response.statusCode,
      headers,
    });
  };
}

export interface SandboxOptions {
  /** Graph calls go to PUBLIC_URL over the network instead of this process's own simulator. */
  graphOverNetwork?: boolean;
}

export function createSandbox(
  getApp: () => FastifyInstance,
  config: Config,
  logger: Logger,
  options: SandboxOptions = {},
): Sandbox {
  const fetchViaApp = injectFetch(getApp);
  const baseUrl = `${config.publicUrl}${sandboxGraphPath}`;
  const simulator = createSimulator({
    wabas: [],
    tokens: [],
    customers: [],
    // Fresh ids after every restart: wamids must never repeat within a workspace.
    seed: randomUUID(),
    // Slow enough to watch a reply go sent → delivered → read.
    statusDelaysMs: { sent: 400, delivered: 900, read: 2_500 },
    templateReviewDelayMs: 3_000,
    publicUrl: baseUrl,
    webhookFetch: fetchViaApp,
    logger: logger.child({ component: 'sandbox' }),
  });
  return {
    simulator,
    baseUrl,
    fetch: options.graphOverNetwork ? (input, init) => fetch(input, init) : fetchViaApp,
    register(channel) {
      simulator.addWaba({
        id: channel.wabaId,
        phoneNumbers: [channel.phoneNumber],
        webhook: {
          url: `${config.publicUrl}/webhooks/whatsapp/${channel.appKey}`,
          appSecret: channel.appSecret,
        },
      });
      simulator.addToken({ token: channel.accessToken, wabaIds: [channel.wabaId], appId: sandboxMetaAppId });
    },
    close: () => simulator.close(),
  };
}

const digits = (count: number) => Array.from({ length: count }, () => String(randomInt(10))).join('');

/** New ids for a workspace's simulated account: Meta-shaped, and never one a real channel could hold. */
export function newSandboxIdentity(
  workspace: string,
): Omit<SandboxChannel, 'appKey'> & { verifyToken: string } {
  return {
    wabaId: `39${digits(13)}`,
    appSecret: `sandbox-secret-${randomUUID()}`,
    accessToken: `sandbox-token-${randomUUID()}`,
    verifyToken: `sandbox-verify-${randomUUID()}`,
    phoneNumber: {
      id: `49${digits(13)}`,
      displayPhoneNumber: `1555${digits(7)}`,
      verifiedName: `${workspace} (sandbox)`.slice(0, 60),
    },
  };
}

const storedRow = z.object({
  channelId: z.string(),
  wabaId: z.string(),
  appKey: z.string(),
  appSecret: z.instanceof(Buffer),
  appSecretKeyId: z.string(),
  accessToken: z.instanceof(Buffer),
  accessTokenKeyId: z.string(),
  phoneNumberId: z.string(),
  displayPhoneNumber: z.string(),
  verifiedName: z.string().nullable(),
});

/** After a restart the in-memory simulator is empty: give it back every workspace's sandbox channel. */
export async function restoreSandboxChannels(owner: DatabasePool, keyring: Keyring, sandbox: Sandbox) {
  const rows = await owner.any(
    sql.type(storedRow)`
      select channel_id as "channelId", waba_id as "wabaId", app_key as "appKey",
             app_secret as "appSecret", app_secret_key_id as "appSecretKeyId",
             access_token as "accessToken", access_token_key_id as "accessTokenKeyId",
             phone_number_id as "phoneNumberId", display_phone_number as "displayPhoneNumber", verified_name as "verifiedName"
      from app_private.sandbox_channels(${sandboxGraphPath})
    `,
  );
  for (const row of rows) {
    sandbox.register({
      wabaId: row.wabaId,
      appKey: row.appKey,
      appSecret: keyring.decrypt(
        { keyId: row.appSecretKeyId, data: row.appSecret },
        secretContext(row.channelId, 'app_secret'),
      ),
      accessToken: keyring.decrypt(
        { keyId: row.accessTokenKeyId, data: row.accessToken },
        secretContext(row.channelId, 'access_token'),
      ),
      phoneNumber: {
        id: row.phoneNumberId,
        displayPhoneNumber: row.displayPhoneNumber,
        verifiedName: row.verifiedName ?? 'Sandbox',
      },
    });
  }
  return rows.length;
}
