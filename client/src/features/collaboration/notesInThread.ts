/**
 * A thread's messages, internal notes and activity lines (who assigned, resolved, labelled…) in time
 * order. Notes and activities older than the oldest loaded message wait until that page of messages
 * is loaded (`complete` false), so they never sit above a gap.
 */
export type ThreadItem<M, N, A = never> =
  { kind: 'message'; item: M } | { kind: 'note'; item: N } | { kind: 'activity'; item: A };

export function withNotes<
  M extends { id: string; occurredAt: string },
  N extends { id: string; createdAt: string },
  A extends { id: string; createdAt: string } = never,
>(
  messages: readonly M[],
  notes: readonly N[],
  complete: boolean,
  activities: readonly A[] = [],
): ThreadItem<M, N, A>[] {
  const oldest = messages[0]?.occurredAt;
  const inRange = (item: { createdAt: string }) =>
    complete || oldest === undefined || item.createdAt >= oldest;
  const items: { entry: ThreadItem<M, N, A>; at: number }[] = [
    ...messages.map((item) => ({
      entry: { kind: 'message' as const, item },
      at: Date.parse(item.occurredAt),
    })),
    ...notes
      .filter(inRange)
      .map((item) => ({ entry: { kind: 'note' as const, item }, at: Date.parse(item.createdAt) })),
    ...activities
      .filter(inRange)
      .map((item) => ({ entry: { kind: 'activity' as const, item }, at: Date.parse(item.createdAt) })),
  ];
  // Stable: messages keep their order; notes and activities go after the messages of their moment.
  return items
    .map((entry, index) => ({ ...entry, index }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ entry }) => entry);
}
