import { z } from 'zod';

/** A conversation's workflow status. Its own module (no slonik) so client forms can import schemas that use it. */
export const conversationStatus = z.enum(['open', 'pending', 'resolved', 'snoozed']);
