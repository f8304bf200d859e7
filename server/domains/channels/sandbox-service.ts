import { TRPCError } from '@trpc/server';
import { sampleDocument, sandboxPhoto } from '../../whatsapp/simulator/sample-media.ts';
import type { AppServices } from '../../app-services.ts';
import type { InboundMessage } from '../../whatsapp/simulator/inbound.ts';
import { currentTenantName, insertSandboxChannel, sandboxChannel, sandboxChannelId } from './queries.ts';
import { secretContext } from './secrets.ts';
import {
  newSandboxIdentity,
  sandboxGraphPath,
  sandboxMetaAppId,
  type Sandbox,
  type SandboxChannel,
} from './sandbox.ts';
import type { SandboxCustomerMessage } from './sandbox-schemas.ts';
import {
  channelGraph,
  newAppKey,
  probeChannel,
  readSecrets,
  storeSecrets,
  syncPhoneNumbers,
  type TenantScope,
} from './service.ts';

function sandboxOf(services: AppServices): Sandbox {
  if (!services.sandbox) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message:
        'The sandbox is turned off on this server. Start it with SANDBOX=on to try Parley without Meta.',
    });
  }
  return services.sandbox;
}

/** Creates the workspace's sandbox channel (or returns the one it has) and registers it with the simulator. */
export async function startSandbox(scope: TenantScope): Promise<string> {
  const { services } = scope;
  const sandbox = sandboxOf(services);
  const existing = await scope.withTenant((tx) => tx.maybeOneFirst(sandboxChannelId()));
  if (existing) {
    await ensureSandboxChannel(scope, existing);
    return existing;
  }
  const workspace = await scope.withTenant((tx) => tx.oneFirst(currentTenantName()));
  const identity = newSandboxIdentity(workspace);
  const appKey = newAppKey();
  sandbox.register({ ...identity, appKey });
  const graphApiVersion = services.config.graphApiVersion;
  // The same checks as connecting a real account, against the simulator.
  const probe = await probeChannel(services, {
    accessToken: identity.accessToken,
    wabaId: identity.wabaId,
    graphApiVersion,
    graphApiBaseUrl: sandboxGraphPath,
  });
  if (probe.problem) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: probe.problem });
  const channelId = await scope.withTenant(async (tx) => {
    const id = await tx.oneFirst(
      insertSandboxChannel({
        tenantId: scope.tenantId,
        metaAppId: sandboxMetaAppId,
        wabaId: identity.wabaId,
        appKey,
        graphApiVersion,
      }),
    );
    await storeSecrets(tx, services, id, identity);
    await syncPhoneNumbers(tx, scope.tenantId, id, probe.numbers);
    return id;
  });
  await channelGraph(
    services,
    { graphApiBaseUrl: sandboxGraphPath, graphApiVersion },
    identity.accessToken,
  ).subscribeApp(identity.wabaId);
  // A first customer is already writing, so the inbox has a conversation to open right away.
  sandbox.simulator.customerSends(
    identity.phoneNumber.id,
    sandboxCustomer.waId,
    { type: 'text', text: { body: 'Hi! Is the blue jacket still in stock?' } },
    { name: sandboxCustomer.name },
  );
  return channelId;
}

/** The simulated customer who writes first in every new sandbox. */
export const sandboxCustomer = { waId: '15550123456', name: 'Maya Lindqvist' };

export interface LoadedSandboxChannel extends SandboxChannel {
  channelId: string;
}

/**
 * A sandbox channel of the tenant, registered with this node's simulator (which forgets everything on
 * restart and is per process): cheap and idempotent, so every sandbox procedure calls it first.
 */
export async function ensureSandboxChannel(
  scope: TenantScope,
  channelId: string,
): Promise<LoadedSandboxChannel> {
  const sandbox = sandboxOf(scope.services);
  const { row, accessToken } = await scope.withTenant(async (tx) => {
    const found = await tx.maybeOne(sandboxChannel(channelId));
    if (!found || found.graphApiBaseUrl !== sandboxGraphPath) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such sandbox channel.' });
    }
    return { row: found, accessToken: (await readSecrets(tx, scope.services, channelId)).accessToken };
  });
  const channel: LoadedSandboxChannel = {
    channelId,
    wabaId: row.wabaId,
    appKey: row.appKey,
    accessToken,
    appSecret: scope.services.keyring.decrypt(
      { keyId: row.appSecretKeyId, data: row.appSecret },
      secretContext(channelId, 'app_secret'),
    ),
    phoneNumber: {
      id: row.phoneNumberId,
      displayPhoneNumber: row.displayPhoneNumber,
      verifiedName: row.verifiedName ?? 'Sandbox',
    },
  };
  sandbox.register(channel);
  return channel;
}

function toInbound(message: SandboxCustomerMessage): InboundMessage {
  switch (message.type) {
    case 'text':
      return { type: 'text', text: { body: message.text } };
    case 'image':
      return {
        type: 'image',
        image: {
          bytes: sandboxPhoto(),
          mime_type: 'image/png',
          ...(message.caption ? { caption: message.caption } : {}),
        },
      };
    case 'document':
      return {
        type: 'document',
        document: {
          bytes: sampleDocument(`${message.filename}: sent from the sandbox`),
          mime_type: 'application/pdf',
          filename: message.filename,
          ...(message.caption ? { caption: message.caption } : {}),
        },
      };
    case 'location': {
      const { type: _type, ...location } = message;
      return { type: 'location', location };
    }
    case 'contacts':
      return {
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: message.name, first_name: message.name.split(' ')[0] },
            phones: [{ phone: message.phone, type: 'CELL' }],
          },
        ],
      };
    case 'interactive':
      return {
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: message.id, title: message.title } },
      };
    case 'reaction':
      return { type: 'reaction', reaction: { message_id: message.messageWamid, emoji: message.emoji } };
  }
}

export function customerSends(
  services: AppServices,
  channel: LoadedSandboxChannel,
  customer: { waId: string; name?: string | undefined },
  message: SandboxCustomerMessage,
): { wamid: string } {
  const { simulator } = sandboxOf(services);
  const { wamid } = simulator.customerSends(
    channel.phoneNumber.id,
    customer.waId,
    toInbound(message),
    customer.name ? { name: customer.name } : undefined,
  );
  return { wamid };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The conversation as the customer's phone sees it, from the simulator's memory. */
export function sandboxThread(services: AppServices, channel: LoadedSandboxChannel, waId: string) {
  const { simulator } = sandboxOf(services);
  const phoneNumberId = channel.phoneNumber.id;
  const fromCustomer = simulator
    .inboundMessages()
    .filter((m) => m.phoneNumberId === phoneNumberId && m.from === waId)
    .sort((a, b) => a.at - b.at);
  const reactions = new Map<string, string>();
  for (const m of fromCustomer) {
    if (m.message.type === 'reaction') reactions.set(m.message.reaction.message_id, m.message.reaction.emoji);
  }
  const fromBusiness = simulator
    .outboundMessages()
    .filter((m) => m.phoneNumberId === phoneNumberId && m.to === waId)
    .sort((a, b) => a.acceptedAt - b.acceptedAt)
    .map((m) => {
      const body = m.body as { text?: { body?: string }; [key: string]: unknown };
      const media = body[m.type] as { caption?: string } | undefined;
      return {
        wamid: m.wamid,
        type: m.type,
        preview: body.text?.body ?? media?.caption ?? `(${m.type})`,
        at: iso(m.acceptedAt),
        status: m.statuses.at(-1)?.status ?? null,
        reaction: reactions.get(m.wamid) || null,
      };
    });
  // WhatsApp shows the typing indicator until the business's next message, for at most 25 s.
  const typingAt = Math.max(0, ...fromCustomer.map((m) => m.typingIndicatorAt ?? 0));
  const lastSent = Math.max(0, ...fromBusiness.map((m) => Date.parse(m.at)));
  const typing = typingAt > lastSent && Date.now() - typingAt < 25_000;
  return {
    phoneNumberId,
    fromBusiness,
    businessTypingSince: typing ? iso(typingAt) : null,
    fromCustomer: fromCustomer.map((m) => ({
      wamid: m.wamid,
      type: m.message.type,
      at: iso(m.at),
      readAt: m.readAt === undefined ? null : iso(m.readAt),
    })),
  };
}
