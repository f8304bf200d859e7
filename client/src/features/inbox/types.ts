import type { RouterOutputs } from '../../trpc.ts';

export type Conversation = RouterOutputs['conversation']['list'][number];
export type Message = RouterOutputs['message']['list'][number];

/** The name an agent knows the customer by: their profile name, else their number or user id. */
export const contactName = (conversation: Conversation) =>
  conversation.contact.name ?? conversation.contact.waId ?? conversation.contact.bsuid ?? 'Unknown contact';

/** A page of messages or conversations is full at this size; a shorter page is the last one. */
export const pageSize = 50;

/** Keyset paging: the next page starts after the last item of a full page. */
export const nextCursor = (page: { id: string }[]) =>
  page.length === pageSize ? page.at(-1)?.id : undefined;

/** The inbox pages by position: the next page starts after the last row's `cursor` of a full page. */
export const nextConversationCursor = (page: { cursor: string }[]) =>
  page.length === pageSize ? page.at(-1)?.cursor : undefined;

/** Items of all loaded pages, each once (a conversation that moved up while paging may come twice). */
export function uniqueById<T extends { id: string }>(pages: T[][] | undefined): T[] {
  const seen = new Set<string>();
  return (pages ?? []).flat().filter((item) => !seen.has(item.id) && Boolean(seen.add(item.id)));
}
