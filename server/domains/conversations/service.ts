import { TRPCError } from '@trpc/server';
import type { AppServices } from '../../app-services.ts';
import type { InTransaction } from '../../db/tx.ts';
import { queueReadReceipt } from '../channels/read-receipts.ts';
import type { z } from 'zod';
import { clearUnread, conversationById, conversationExists, type conversationSchema } from './queries.ts';

/**
 * Someone opened the conversation: its unread count goes to zero and, when there was something
 * unread, a read receipt is queued for the customer's phone.
 */
export async function markRead(
  scope: { services: AppServices; tenantId: string; withTenant: InTransaction },
  conversationId: string,
): Promise<void> {
  const cleared = await scope.withTenant((tx) => tx.query(clearUnread(conversationId)));
  if (cleared.rowCount > 0) {
    await queueReadReceipt(scope.services, scope.tenantId, conversationId);
    return;
  }
  if (!(await scope.withTenant((tx) => tx.exists(conversationExists(conversationId))))) {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
  }
}

/** One conversation as the inbox lists it; NOT_FOUND when the workspace has none with this id. */
export async function conversationOfList(
  scope: { withTenant: InTransaction },
  conversationId: string,
): Promise<z.infer<typeof conversationSchema>> {
  const found = await scope.withTenant((tx) => tx.maybeOne(conversationById(conversationId)));
  if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
  return found;
}
