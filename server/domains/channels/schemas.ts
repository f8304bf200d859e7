import { z } from 'zod';
import { text } from '../../trpc/text.ts';

const digits = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, `${what} is the numeric id from Meta's App Dashboard.`);

export const connectChannelInput = z.object({
  name: text({ min: 1, max: 80, tooShort: 'Name the channel (e.g. the brand or number it serves).' }),
  metaAppId: digits('The Meta app id'),
  appSecret: z.string().trim().min(16, 'Paste the app secret from App settings → Basic.').max(200),
  verifyToken: z.string().trim().min(8, 'Choose a verify token of at least 8 characters.').max(200),
  wabaId: digits('The WhatsApp Business Account id'),
  accessToken: z.string().trim().min(20, 'Paste a system user access token.').max(2000),
  graphApiVersion: z
    .string()
    .regex(/^v\d{1,3}\.\d$/, 'Use a Graph API version like v25.0.')
    .optional(),
});

export const updateCredentialsInput = z.object({
  channelId: z.uuid(),
  accessToken: z.string().trim().min(20).max(2000),
  appSecret: z.string().trim().min(16).max(200).optional(),
  verifyToken: z.string().trim().min(8).max(200).optional(),
});

export const phoneNumberViewSchema = z.object({
  id: z.string(),
  phoneNumberId: z.string(),
  displayPhoneNumber: z.string(),
  verifiedName: z.string().nullable(),
  qualityRating: z.string().nullable(),
  messagingLimitTier: z.string().nullable(),
  throughputMps: z.number(),
  status: z.string().nullable(),
});

export const channelViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  metaAppId: z.string(),
  wabaId: z.string(),
  graphApiVersion: z.string(),
  status: z.enum(['active', 'needs_reauth', 'disabled']),
  webhookUrl: z.string(),
  tokenExpiresAt: z.string().nullable(),
  lastTestedAt: z.string().nullable(),
  lastTestError: z.string().nullable(),
  /** The latest account-level event from Meta (e.g. ACCOUNT_VIOLATION), with when it came. */
  accountEvent: z.object({ event: z.string(), at: z.string() }).nullable(),
  /** Where this channel's Graph calls go; null: GRAPH_API_BASE_URL (Meta). */
  graphApiBaseUrl: z.string().nullable(),
  /** Backed by this server's simulator ("Try the sandbox"). */
  isSandbox: z.boolean(),
  /** Marks customers' messages read (blue ticks) when an agent opens their conversation. */
  sendReadReceipts: z.boolean(),
  /** Webhook POSTs refused for their signature: usually an app secret that is not Meta's. */
  rejectedSignatures: z.object({ count: z.number(), lastAt: z.string().nullable() }),
  phoneNumbers: z.array(phoneNumberViewSchema),
});
export type ChannelView = z.infer<typeof channelViewSchema>;

export const connectionReportSchema = z.object({
  tokenValid: z.boolean(),
  tokenExpiresAt: z.string().nullable(),
  phoneNumbers: z.array(
    z.object({ phoneNumberId: z.string(), displayPhoneNumber: z.string(), verifiedName: z.string() }),
  ),
  problem: z.string().nullable(),
});
