import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

/** Reopens every conversation whose snooze has ended, in every workspace (owner); returns how many. */
export function wakeSnoozedConversations(owner: DatabasePool): Promise<number> {
  return owner.transaction((tx) =>
    tx.oneFirst(
      sql.type(z.object({ woken: z.number() }))`select app_private.wake_snoozed_conversations() as woken`,
    ),
  );
}
