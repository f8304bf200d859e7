import { apiKeyRouter } from '../domains/apiKeys/router.ts';
import { authRouter } from '../domains/auth/router.ts';
import { invitationRouter, memberRouter } from '../domains/members/router.ts';
import { platformRouter } from '../domains/platform/router.ts';
import { systemRouter } from '../domains/system/router.ts';
import { tenantRouter } from '../domains/tenants/router.ts';
import { channelRouter } from '../domains/channels/router.ts';
import { webhookRouter } from '../domains/webhooks/router.ts';
import { conversationRouter } from '../domains/conversations/router.ts';
import { messageRouter } from '../domains/messages/router.ts';
import { mediaRouter } from '../domains/media/router.ts';
import { templateRouter } from '../domains/templates/router.ts';
import { eventsRouter } from '../domains/events/router.ts';
import { teamRouter } from '../domains/teams/router.ts';
import { presenceRouter } from '../domains/presence/router.ts';
import { contactImportRouter } from '../domains/contacts/import/router.ts';
import { contactAttributeRouter, contactRouter, contactSettingsRouter } from '../domains/contacts/router.ts';
import { noteRouter } from '../domains/notes/router.ts';
import { notificationRouter } from '../domains/notifications/router.ts';
import { cannedResponseRouter } from '../domains/cannedResponses/router.ts';
import { autoAssignRouter } from '../domains/autoAssign/router.ts';
import { labelRouter } from '../domains/labels/router.ts';
import { analyticsRouter } from '../domains/analytics/router.ts';
import { campaignRouter, segmentRouter } from '../domains/campaigns/router.ts';
import { createCallerFactory, router } from './init.ts';

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  tenant: tenantRouter,
  member: memberRouter,
  invitation: invitationRouter,
  apiKey: apiKeyRouter,
  platform: platformRouter,
  channel: channelRouter,
  webhook: webhookRouter,
  conversation: conversationRouter,
  message: messageRouter,
  media: mediaRouter,
  template: templateRouter,
  events: eventsRouter,
  team: teamRouter,
  presence: presenceRouter,
  contact: contactRouter,
  contactAttribute: contactAttributeRouter,
  contactSettings: contactSettingsRouter,
  contactImport: contactImportRouter,
  note: noteRouter,
  notification: notificationRouter,
  cannedResponse: cannedResponseRouter,
  autoAssign: autoAssignRouter,
  label: labelRouter,
  segment: segmentRouter,
  campaign: campaignRouter,
  analytics: analyticsRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
