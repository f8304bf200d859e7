import type { AppServices } from '../app-services.ts';
import * as analyticsRollup from './handlers/analytics-rollup.ts';
import * as campaignRun from './handlers/campaign-run.ts';
import * as contactImport from './handlers/contact-import.ts';
import * as conversationWake from './handlers/conversation-wake.ts';
import * as mailSend from './handlers/mail-send.ts';
import * as mediaFetch from './handlers/media-fetch.ts';
import * as mediaRetention from './handlers/media-retention.ts';
import * as messageRead from './handlers/message-read.ts';
import * as messageSend from './handlers/message-send.ts';
import * as realtimePrune from './handlers/realtime-prune.ts';
import * as templateSync from './handlers/template-sync.ts';
import * as webhookProcess from './handlers/webhook-process.ts';
import * as webhookRetention from './handlers/webhook-retention.ts';

/** One module per queue that has a worker (handlers/<queue>.ts): payload, handler, policy. */
export const jobHandlers = [
  webhookProcess,
  messageSend,
  messageRead,
  mailSend,
  mediaFetch,
  mediaRetention,
  templateSync,
  webhookRetention,
  conversationWake,
  realtimePrune,
  campaignRun,
  contactImport,
  analyticsRollup,
] as const;

/** Starts this node's workers for every queue that has a handler. */
export async function registerWorkers(services: AppServices): Promise<void> {
  for (const handler of jobHandlers) await handler.register(services);
}
