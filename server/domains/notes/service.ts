import { TRPCError } from '@trpc/server';
import type { Tx } from '../../db/tx.ts';
import { mentionedIds } from './mentions.ts';
import { hasRole, type Role } from '../members/roles.ts';
import {
  conversationExists,
  deleteNote,
  insertNote,
  mentionableAmong,
  noteAuthor,
  noteById,
  updateNote,
} from './queries.ts';
import type { Note } from './schemas.ts';

type Scope = { withTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T> };

/** The "<@id>" tokens of a body, each a member who answers conversations (viewers do not see notes). */
async function checkedMentions(tx: Tx, body: string): Promise<string[]> {
  const mentioned = mentionedIds(body);
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
  return mentioned;
}

/**
 * Locks a note and checks that the caller may change it: its author, or an admin or owner (a former
 * member's notes are the admins' to tidy).
 */
async function changeableNote(tx: Tx, actor: { userId: string | null; role: Role }, id: string) {
  const note = await tx.maybeOne(noteAuthor(id));
  if (!note) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such note: it may have been deleted.' });
  if (!hasRole(actor.role, 'admin') && (actor.userId === null || note.authorUserId !== actor.userId)) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'Only the author of a note, or an admin, can change or delete it.',
    });
  }
}

/** Rewrites a note; members it newly mentions are notified; the team sees the new text live. */
export function editNote(
  scope: Scope,
  actor: { userId: string | null; role: Role },
  input: { id: string; body: string },
): Promise<Note> {
  return scope.withTenant(async (tx) => {
    await changeableNote(tx, actor, input.id);
    const mentioned = await checkedMentions(tx, input.body);
    await tx.query(updateNote(input.id, input.body, mentioned));
    const note = await tx.one(noteById(input.id));
    return { ...note, mentions: [...note.mentions] };
  });
}

/** Deletes a note, with its place on the timeline and the notifications of its mentions. */
export function removeNote(
  scope: Scope,
  actor: { userId: string | null; role: Role },
  id: string,
): Promise<void> {
  return scope.withTenant(async (tx) => {
    await changeableNote(tx, actor, id);
    await tx.query(deleteNote(id));
  });
}

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
    const mentioned = await checkedMentions(tx, input.body);
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
