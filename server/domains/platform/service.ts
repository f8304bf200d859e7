import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';
import { unroutedWebhooks, unroutedWebhookSchema } from './queries.ts';
import { unroutedExplanations } from './unrouted-reasons.ts';

export const unroutedWebhookViewSchema = unroutedWebhookSchema.extend({
  /** Why it reached no workspace and what to check, in a sentence. */
  explanation: z.string(),
});

/** Unrouted webhook changes, each with the sentence an operator reads beside it. */
export async function listUnroutedWebhooks(
  tx: Tx,
  limit: number,
): Promise<z.infer<typeof unroutedWebhookViewSchema>[]> {
  const rows = await tx.any(unroutedWebhooks(limit));
  return rows.map((row) => ({ ...row, explanation: unroutedExplanations[row.reason] }));
}
