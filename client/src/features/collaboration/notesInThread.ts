/**
 * A thread's messages and internal notes in time order. Notes older than the oldest loaded message
 * wait until that page of messages is loaded (`complete` false), so they never sit above a gap.
 */
export type ThreadItem<M, N> = { kind: 'message'; item: M } | { kind: 'note'; item: N };

export function withNotes<
  M extends { id: string; occurredAt: string },
  N extends { id: string; createdAt: string },
>(messages: readonly M[], notes: readonly N[], complete: boolean): ThreadItem<M, N>[] {
  const oldest = messages[0]?.occurredAt;
  const shown = notes.filter((note) => complete || oldest === undefined || note.createdAt >= oldest);
  const items: (ThreadItem<M, N> & { at: string })[] = [
    ...messages.map((item) => ({ kind: 'message' as const, item, at: item.occurredAt })),
    ...shown.map((item) => ({ kind: 'note' as const, item, at: item.createdAt })),
  ];
  // Stable: messages keep their order; a note goes after the messages of its moment.
  return items
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || a.index - b.index)
    .map(({ entry }) =>
      entry.kind === 'message' ? { kind: 'message', item: entry.item } : { kind: 'note', item: entry.item },
    );
}
