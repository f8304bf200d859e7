import type { z } from 'zod';
import type { messageMediaSchema } from '../messages/queries.ts';

/** The `media` of a message as message.list gives it. */
export type MessageMedia = z.infer<typeof messageMediaSchema>;
