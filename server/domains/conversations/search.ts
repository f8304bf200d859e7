import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';
import { listedConversation } from './inbox-queries.ts';
import {
  contactHits,
  messageHit,
  messageHits,
  messageQuery,
  phoneDigits,
  searchLimit,
} from './search-queries.ts';

export const searchResultsSchema = z.object({
  /** Conversations whose contact's name or number matched, most recent first. */
  contacts: z.array(listedConversation),
  /** The newest messages containing the words, each with its conversation. */
  messages: z.array(messageHit),
});

/** The inbox's search box: contacts by name or partial number, messages by their words. */
export async function searchInbox(
  scope: { actor: { userId: string | null }; withTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T> },
  text: string,
): Promise<z.infer<typeof searchResultsSchema>> {
  const userId = scope.actor.userId;
  const words = messageQuery(text);
  const contacts = contactHits(text, phoneDigits(text), userId);
  return scope.withTenant(async (tx) => {
    let messages = words ? await tx.any(messageHits(words, userId, 'recent')) : [];
    // Fewer hits than a page among the newest messages: a rarer word, found through its posting list.
    if (words && messages.length < searchLimit) messages = await tx.any(messageHits(words, userId, 'all'));
    return { contacts: contacts ? [...(await tx.any(contacts))] : [], messages: [...messages] };
  });
}
