import { TRPCError } from '@trpc/server';
import type { Keyring } from '../../crypto/keyring.ts';
import type { Tx } from '../../db/tx.ts';
import type { Outbox } from '../../jobs/outbox.ts';
import { endpointById, insertEndpoint, insertReplay, storeSecret, updateEndpoint } from './queries.ts';
import { generateSecret } from './signature.ts';
import { refusedHost } from './ssrf.ts';
import type { Endpoint } from './schemas.ts';

/** AAD binding a secret's ciphertext to its endpoint (a ciphertext copied to another row fails). */
export const secretContext = (endpointId: string) => `webhook_endpoint:${endpointId}:secret`;

export const endpointNotFound = () =>
  new TRPCError({ code: 'NOT_FOUND', message: 'No such webhook endpoint in this workspace.' });

/** Refuses a private or loopback target up front (the delivery job checks again on every connect). */
export function checkTarget(url: string, allowPrivate: boolean): void {
  const host = refusedHost(url, allowPrivate);
  if (host) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `${host} is a private or loopback address; webhooks go to public addresses only.`,
    });
  }
}

async function sealSecret(tx: Tx, keyring: Keyring, endpointId: string): Promise<string> {
  const secret = generateSecret();
  const sealed = keyring.encrypt(secret, secretContext(endpointId));
  await tx.query(storeSecret(endpointId, sealed.data, sealed.keyId));
  return secret;
}

export async function createEndpoint(
  tx: Tx,
  keyring: Keyring,
  input: { url: string; description?: string | null | undefined; events: string[] },
): Promise<Endpoint & { secret: string }> {
  const { id } = await tx.one(
    insertEndpoint({ url: input.url, description: input.description ?? null, events: input.events }),
  );
  const secret = await sealSecret(tx, keyring, id);
  return { ...(await tx.one(endpointById(id))), secret };
}

export async function rotateSecret(
  tx: Tx,
  keyring: Keyring,
  id: string,
): Promise<Endpoint & { secret: string }> {
  const endpoint = await tx.maybeOne(endpointById(id));
  if (!endpoint) throw endpointNotFound();
  return { ...endpoint, secret: await sealSecret(tx, keyring, id) };
}

export async function changeEndpoint(tx: Tx, input: Parameters<typeof updateEndpoint>[0]): Promise<Endpoint> {
  if (!(await tx.maybeOne(updateEndpoint(input)))) throw endpointNotFound();
  return tx.one(endpointById(input.id));
}

/** Sends a delivery's event again to its endpoint, as a new delivery (the log keeps both). */
export async function replayDelivery(
  tx: Tx,
  outbox: Outbox,
  tenantId: string,
  deliveryId: string,
): Promise<{ id: string }> {
  const replay = await tx.maybeOne(insertReplay(deliveryId));
  if (!replay) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such delivery in this workspace.' });
  outbox.send({ name: 'webhook.deliver', data: { tenantId, deliveryId: replay.id } });
  return replay;
}
