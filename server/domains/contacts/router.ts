import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { rest } from '../../trpc/rest.ts';
import {
  announceContact,
  attributeDefinitions,
  contactById,
  contactDataExport,
  contactSettings,
  countContacts,
  deleteAttribute,
  deleteContact,
  insertAttribute,
  listContacts,
  optIn,
  optOut,
  renameContact,
  retagContacts,
  setContactSettings,
  updateAttribute,
} from './queries.ts';
import {
  attributeDefinitionSchema,
  attributeKeySchema,
  contactFilterSchema,
  contactRowSchema,
  contactSchema,
  contactSettingsSchema,
  createAttributeSchema,
  createContactSchema,
  listContactsSchema,
  mergeContactsSchema,
  optSchema,
  renameContactSchema,
  retagContactsSchema,
  updateAttributeSchema,
  updateContactSchema,
} from './schemas.ts';
import { createContact, editContact, eraseContact, mergeContacts, notFound } from './service.ts';

const byIdInput = z.object({ id: z.uuid() });

export const contactRouter = router({
  /** The contacts table: newest first, filtered (the same filter as campaign segments), paged by id. */
  list: tenantProcedure('viewer')
    .meta(
      rest(
        'POST',
        '/contacts/search',
        'Contacts',
        'List contacts',
        'Newest first, filtered. Cursor pagination: pass `nextCursor` as `cursor`; null is the end.',
      ),
    )
    .input(listContactsSchema)
    .output(z.object({ items: z.array(contactRowSchema), nextCursor: z.string().nullable() }))
    .query(async ({ ctx, input }) => {
      const items = await ctx.withTenant((tx) =>
        tx.any(listContacts(input.filter, input.cursor, input.limit + 1)),
      );
      const page = items.slice(0, input.limit);
      return { items: page, nextCursor: items.length > input.limit ? (page.at(-1)?.id ?? null) : null };
    }),

  /** How many contacts a filter selects (the table's total; a segment's live count). */
  count: tenantProcedure('viewer')
    .input(z.object({ filter: contactFilterSchema.default({}) }))
    .output(z.object({ count: z.number() }))
    .query(({ ctx, input }) => ctx.withTenant((tx) => tx.one(countContacts(input.filter)))),

  /** A contact with their numbers, when first seen, and every conversation with them (the contact panel). */
  byId: tenantProcedure('viewer')
    .meta(rest('GET', '/contacts/{id}', 'Contacts', 'Get a contact'))
    .input(byIdInput)
    .output(contactSchema)
    .query(async ({ ctx, input }) => {
      const contact = await ctx.withTenant((tx) => tx.maybeOne(contactById(input.id)));
      if (!contact) throw notFound();
      return contact;
    }),

  /** Adds a contact by number (normalised to E.164 with the workspace's default country). */
  create: tenantProcedure('agent')
    .meta(rest('POST', '/contacts', 'Contacts', 'Add a contact'))
    .input(createContactSchema)
    .output(contactSchema)
    .mutation(({ ctx, input }) => ctx.withTenant((tx) => createContact(tx, input))),

  /** Name, email, notes, tags (the whole set) and attribute values (validated against their type). */
  update: tenantProcedure('agent')
    .meta(
      rest(
        'PATCH',
        '/contacts/{id}',
        'Contacts',
        'Change a contact',
        'Name, email, notes, tags (the whole set) and attribute values; fields left out stay as they are.',
      ),
    )
    .input(updateContactSchema)
    .output(contactSchema)
    .mutation(({ ctx, input }) => ctx.withTenant((tx) => editContact(tx, input))),

  /**
   * Names a contact for the team (null: back to their WhatsApp profile name, which keeps following
   * what the customer sets). Teammates see the new name live.
   */
  rename: tenantProcedure('agent')
    .meta(rest('PUT', '/contacts/{id}/name', 'Contacts', 'Rename a contact'))
    .input(renameContactSchema)
    .output(contactSchema)
    .mutation(async ({ ctx, input }) => {
      const contact = await ctx.withTenant(async (tx) => {
        if (!(await tx.maybeOne(renameContact(input.id, input.name)))) return null;
        await tx.query(announceContact(input.id));
        return tx.one(contactById(input.id));
      });
      if (!contact) throw notFound();
      return contact;
    }),

  /** Adds and removes tags on many contacts at once; answers how many changed. */
  tag: tenantProcedure('agent')
    .input(retagContactsSchema)
    .output(z.object({ changed: z.number() }))
    .mutation(async ({ ctx, input }) => {
      const changed = await ctx.withTenant((tx) => tx.any(retagContacts(input.ids, input.add, input.remove)));
      return { changed: changed.length };
    }),

  /** Records consent to receive campaigns, with where it came from (clears an earlier opt-out). */
  optIn: tenantProcedure('agent')
    .input(optSchema)
    .output(contactSchema)
    .mutation(async ({ ctx, input }) => {
      const contact = await ctx.withTenant(async (tx) =>
        (await tx.maybeOne(optIn(input.id, input.source))) ? tx.one(contactById(input.id)) : null,
      );
      if (!contact) throw notFound();
      return contact;
    }),

  /** Opts a contact out of campaigns, with where the request came from. */
  optOut: tenantProcedure('agent')
    .input(optSchema)
    .output(contactSchema)
    .mutation(async ({ ctx, input }) => {
      const contact = await ctx.withTenant(async (tx) =>
        (await tx.maybeOne(optOut(input.id, input.source))) ? tx.one(contactById(input.id)) : null,
      );
      if (!contact) throw notFound();
      return contact;
    }),

  /** Deletes a contact and its conversations (admins). For a privacy request, use erase (logged). */
  delete: tenantProcedure('admin')
    .input(byIdInput)
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const gone = await ctx.withTenant((tx) => tx.maybeOne(deleteContact(input.id)));
      if (!gone) throw notFound();
      return gone;
    }),

  /** Merges a duplicate (another number or BSUID of the same person) into the contact that stays. */
  merge: tenantProcedure('admin')
    .input(mergeContactsSchema)
    .output(contactSchema)
    .mutation(({ ctx, input }) =>
      ctx.withTenant((tx) => mergeContacts(tx, input.survivorId, input.duplicateId)),
    ),

  /** Everything Parley holds about one contact, as JSON (a data subject's access request). */
  exportData: tenantProcedure('admin')
    .input(byIdInput)
    .output(z.record(z.string(), z.unknown()))
    .query(async ({ ctx, input }) => {
      const row = await ctx.withTenant((tx) => tx.maybeOne(contactDataExport(input.id)));
      if (!row) throw notFound();
      return row.document;
    }),

  /** Erases a contact with its messages, media and attributes (a data subject's erasure request), logged. */
  erase: tenantProcedure('admin')
    .input(byIdInput)
    .output(
      z.object({
        conversations: z.number(),
        messages: z.number(),
        media: z.number(),
        numberSha256: z.string().nullable(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const erased = await ctx.withTenant((tx) => eraseContact(tx, input.id));
      ctx.services.logger.info(
        { tenantId: ctx.tenantId, contactId: input.id, ...erased },
        'contact erased on request',
      );
      return erased;
    }),
});

export const contactAttributeRouter = router({
  list: tenantProcedure('viewer')
    .output(z.array(attributeDefinitionSchema))
    .query(({ ctx }) => ctx.withTenant(async (tx) => [...(await tx.any(attributeDefinitions()))])),

  create: tenantProcedure('admin')
    .input(createAttributeSchema)
    .output(attributeDefinitionSchema)
    .mutation(async ({ ctx, input }) => {
      if ((input.type === 'list') !== Boolean(input.options))
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: input.type === 'list' ? 'A list needs its options.' : 'Only list attributes have options.',
        });
      const created = await ctx.withTenant((tx) =>
        tx.maybeOne(insertAttribute({ ...input, options: input.options ?? null })),
      );
      if (!created)
        throw new TRPCError({ code: 'CONFLICT', message: `An attribute "${input.key}" already exists.` });
      return created;
    }),

  update: tenantProcedure('admin')
    .input(updateAttributeSchema)
    .output(attributeDefinitionSchema)
    .mutation(async ({ ctx, input }) => {
      const updated = await ctx.withTenant((tx) =>
        tx.maybeOne(updateAttribute(input.key, input.label, input.options ?? null)),
      );
      if (!updated) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such attribute.' });
      return updated;
    }),

  /** Removes the attribute and every contact's value for it. */
  delete: tenantProcedure('admin')
    .input(z.object({ key: attributeKeySchema }))
    .output(z.object({ key: z.string() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.withTenant((tx) => tx.query(deleteAttribute(input.key)));
      return { key: input.key };
    }),
});

export const contactSettingsRouter = router({
  get: tenantProcedure('viewer')
    .output(contactSettingsSchema)
    .query(({ ctx }) => ctx.withTenant((tx) => tx.one(contactSettings()))),

  /** The default country for numbers without a country code, and the inbound opt-out keywords (admins). */
  set: tenantProcedure('admin')
    .input(contactSettingsSchema)
    .output(contactSettingsSchema)
    .mutation(({ ctx, input }) =>
      ctx.withTenant(async (tx) => {
        await tx.query(setContactSettings(input.defaultCountry, input.optOutKeywords));
        return tx.one(contactSettings());
      }),
    ),
});
