import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../server/trpc/router.ts';

type Outputs = inferRouterOutputs<AppRouter>;
export type Conversation = Outputs['conversation']['list'][number];
export type Message = Outputs['message']['list'][number];

// Until realtime subscriptions land, the inbox refreshes itself every few seconds.
export const refreshMs = 3000;

/** A page of messages or conversations is full at this size; a shorter page is the last one. */
export const pageSize = 50;

/** Keyset paging: the next page starts after the last item of a full page. */
export const nextCursor = (page: { id: string }[]) =>
  page.length === pageSize ? page.at(-1)?.id : undefined;

/** Items of all loaded pages, each once (a conversation that moved up while paging may come twice). */
export function uniqueById<T extends { id: string }>(pages: T[][] | undefined): T[] {
  const seen = new Set<string>();
  return (pages ?? []).flat().filter((item) => !seen.has(item.id) && Boolean(seen.add(item.id)));
}
