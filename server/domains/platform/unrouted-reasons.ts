/** Why a webhook change reached no workspace (app_private.unrouted_webhook_events.reason). */
export const unroutedReasons = ['unknown', 'other_app'] as const;
export type UnroutedReason = (typeof unroutedReasons)[number];

/** What a platform operator reads beside each unrouted change: the cause and what to check. */
export const unroutedExplanations: Record<UnroutedReason, string> = {
  unknown:
    'No channel in any workspace has this phone number or WhatsApp Business Account. Connect it, or unsubscribe the Meta app from it.',
  other_app:
    "A channel has this phone number or WhatsApp Business Account, but the webhook came through a different Meta app or app secret than that channel's. Check the channel's Meta app id and app secret, and which webhook URL the app uses.",
};
