import { z } from 'zod';
import { text } from '../../trpc/text.ts';

/** What the Customer panel can send: one of each inbound type a newcomer should see handled. */
export const sandboxCustomerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: text({ min: 1, max: 4096, tooShort: 'Write something.' }) }),
  z.object({ type: z.literal('image'), caption: text({ max: 1024 }).optional() }),
  z.object({
    type: z.literal('document'),
    filename: text({ min: 1, max: 120 }),
    caption: text({ max: 1024 }).optional(),
  }),
  z.object({
    type: z.literal('location'),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: text({ max: 120 }).optional(),
    address: text({ max: 200 }).optional(),
  }),
  z.object({
    type: z.literal('contacts'),
    name: text({ min: 1, max: 80 }),
    phone: text({ min: 3, max: 30 }),
  }),
  z.object({
    type: z.literal('interactive'),
    id: z.string().trim().min(1).max(200),
    title: text({ min: 1, max: 20 }),
  }),
  /** An empty emoji removes the customer's reaction, as on WhatsApp. */
  z.object({ type: z.literal('reaction'), messageWamid: z.string().min(1), emoji: z.string().max(16) }),
]);
export type SandboxCustomerMessage = z.infer<typeof sandboxCustomerMessage>;

export const sandboxThreadSchema = z.object({
  phoneNumberId: z.string(),
  /** The business's messages to this customer, oldest first, with their latest status. */
  fromBusiness: z.array(
    z.object({
      wamid: z.string(),
      type: z.string(),
      preview: z.string(),
      at: z.string(),
      status: z.string().nullable(),
      /** The customer's current reaction to it, if any. */
      reaction: z.string().nullable(),
    }),
  ),
  /** When the business started typing (mark as read with the typing indicator), while it shows. */
  businessTypingSince: z.string().nullable(),
  /** The customer's own messages, oldest first; readAt once the business marked them read. */
  fromCustomer: z.array(
    z.object({ wamid: z.string(), type: z.string(), at: z.string(), readAt: z.string().nullable() }),
  ),
});
