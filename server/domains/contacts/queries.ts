import { sql } from 'slonik';
import { z } from 'zod';
import { contactSchema } from './schemas.ts';

export const contactById = (contactId: string) => sql.type(contactSchema)`
  select k.id, coalesce(k.name, k.profile_name) as name, k.name as "agentName", k.profile_name as "profileName",
         k.wa_id as "waId", k.bsuid, k.username, k.created_at as "firstSeenAt",
         coalesce((
           select json_agg(json_build_object(
                    'id', c.id, 'status', c.status, 'lastMessageAt', c.last_message_at,
                    'lastMessagePreview', c.last_message_preview, 'businessNumber', p.display_phone_number)
                  order by c.last_message_at desc nulls last, c.id desc)
           from app_public.conversations c
           join app_public.phone_numbers p on p.id = c.phone_number_id
           where c.contact_id = k.id
         ), '[]') as conversations
  from app_public.contacts k
  where k.id = ${contactId}`;

/** Sets (or clears, with null) the agents' name; the conversations it names, for the realtime event. */
export const renameContact = (contactId: string, name: string | null) =>
  sql.type(z.object({ id: z.string() }))`
    update app_public.contacts set name = ${name} where id = ${contactId} returning id`;

/** Announces a renamed contact with its conversations (ids only), so open inboxes show the new name. */
export const announceContact = (contactId: string) =>
  sql.unsafe`select app_public.record_realtime_event('contact.updated', array[${contactId}::uuid],
    coalesce((select array_agg(c.id) from app_public.conversations c where c.contact_id = ${contactId}), '{}'))`;
