import { TRPCError } from '@trpc/server';
import type { Tx } from '../../db/tx.ts';
import { mentionedIds } from './mentions.ts';
import { conversationExists, insertNote, mentionableAmong, noteById } from './queries.ts';
import type { Note } from './schemas.ts';

type Scope = { withTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T> };

/**
 * Writes an internal note on a conversation (never sent to WhatsApp). The members its "<@id>" tokens
 * name are notified (not the author); each must be a member who answers conversations, since viewers
 * do not see notes.
 */
export function createNote(
  scope: Scope,
  authorUserId: string | null,
  input: { conversationId: string; body: string },
): Promise<Note> {
  return scope.withTenant(async (tx) => {
    if (!(await tx.exists(conversationExists(input.conversationId)))) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
    }
    const mentioned = mentionedIds(input.body);
    if (mentioned.length > 50) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'A note can mention at most 50 members.' });
    }
    if (mentioned.length > 0) {
      const allowed = new Set((await tx.any(mentionableAmong(mentioned))).map((row) => row.userId));
      if (mentioned.some((id) => !allowed.has(id))) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'Only members who answer conversations (agents, admins, owners) can be mentioned.',
        });
      }
    }
    const { id } = await tx.one(
      insertNote({
        conversationId: input.conversationId,
        authorUserId,
        body: input.body,
        mentionedUserIds: mentioned,
      }),
    );
    const note = await tx.one(noteById(id));
    return { ...note, mentions: [...note.mentions] };
  });
}
