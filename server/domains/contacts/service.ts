import { createHash } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { Tx } from '../../db/tx.ts';
import { attributeChanges } from './attributes.ts';
import { normalisePhone } from './phone.ts';
import {
  absorbDuplicate,
  announceContact,
  attributeDefinitions,
  contactById,
  contactSettings,
  deleteContact as deleteContactQuery,
  erasureCounts,
  insertContact,
  logErasure,
  mergeSteps,
  updateContact,
} from './queries.ts';
import type { AttributeValue, Contact, createContactSchema, updateContactSchema } from './schemas.ts';

export const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such contact.' });
const badRequest = (message: string) => new TRPCError({ code: 'BAD_REQUEST', message });

async function validAttributes(tx: Tx, values: Record<string, AttributeValue> | undefined) {
  if (!values) return undefined;
  const result = attributeChanges([...(await tx.any(attributeDefinitions()))], values);
  if ('error' in result) throw badRequest(result.error);
  return result.changes;
}

/** A contact the team adds by hand: its number normalised to E.164 with the workspace's default country. */
export async function createContact(tx: Tx, input: z.infer<typeof createContactSchema>): Promise<Contact> {
  const { defaultCountry } = await tx.one(contactSettings());
  const phone = normalisePhone(input.phone, defaultCountry);
  if ('error' in phone) throw badRequest(phone.error);
  const attributes = (await validAttributes(tx, input.attributes)) ?? {};
  for (const key of Object.keys(attributes)) if (attributes[key] === null) delete attributes[key];
  const created = await tx.maybeOne(
    insertContact({
      waId: phone.waId,
      country: phone.country,
      name: input.name ?? null,
      email: input.email ?? null,
      notes: input.notes ?? null,
      tags: [...new Set(input.tags ?? [])],
      attributes,
      optInSource: input.optInSource ?? null,
    }),
  );
  if (!created) {
    throw new TRPCError({
      code: 'CONFLICT',
      message: `A contact with +${phone.waId} already exists; search for it instead.`,
    });
  }
  return tx.one(contactById(created.id));
}

export async function editContact(tx: Tx, input: z.infer<typeof updateContactSchema>): Promise<Contact> {
  const attributes = await validAttributes(tx, input.attributes);
  const updated = await tx.maybeOne(updateContact(input.id, { ...input, attributes }));
  if (!updated) throw notFound();
  if (input.name !== undefined) await tx.query(announceContact(input.id));
  return tx.one(contactById(input.id));
}

export async function mergeContacts(tx: Tx, survivorId: string, duplicateId: string): Promise<Contact> {
  if (survivorId === duplicateId) throw badRequest('Choose two different contacts to merge.');
  const [survivor, duplicate] = [
    await tx.maybeOne(contactById(survivorId)),
    await tx.maybeOne(contactById(duplicateId)),
  ];
  if (!survivor || !duplicate) throw notFound();
  for (const step of mergeSteps(survivorId, duplicateId)) await tx.query(step);
  if (!(await tx.maybeOne(absorbDuplicate(survivorId, duplicateId)))) throw notFound();
  await tx.query(announceContact(survivorId));
  return tx.one(contactById(survivorId));
}

/**
 * Erases a contact on request: the contact, its conversations, messages and media (foreign keys
 * cascade; media_chunks with their media) and its attributes go; the erasure log keeps who, when,
 * how much, and only a sha256 of the number.
 */
export async function eraseContact(tx: Tx, id: string) {
  const counts = await tx.maybeOne(erasureCounts(id));
  if (!counts) throw notFound();
  await tx.query(logErasure(id, counts.waId, counts));
  await tx.query(announceContact(id));
  await tx.query(deleteContactQuery(id));
  return {
    conversations: counts.conversations,
    messages: counts.messages,
    media: counts.media,
    numberSha256: counts.waId ? createHash('sha256').update(counts.waId).digest('hex') : null,
  };
}
