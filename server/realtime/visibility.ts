import { hasRole, type Role } from '../domains/members/roles.ts';

/** Who is subscribed: a member's session, or an API key (tenant-bound, role from its scopes). */
export interface Subscriber {
  readonly tenantId: string;
  /** The role checked when the subscription started; revalidation may lower or raise it. */
  role: Role;
  readonly userId: string | null;
  readonly sessionId: string | null;
  readonly apiKeyId: string | null;
}

/**
 * The least role that receives each kind of event; a kind not listed reaches nobody, so a feature
 * that records a new kind (app_public.record_realtime_event) decides here who may see it.
 * Kinds are matched by their first segment ("note.created" → "note").
 */
export const minimumRoleByKind: Record<string, Role | 'nobody'> = {
  message: 'viewer',
  conversation: 'viewer',
  assignment: 'viewer',
  label: 'viewer',
  /** Contacts (a name an agent gave): shown with their conversations. */
  contact: 'viewer',
  /** Who of the team is online, viewing or typing where (not recorded: server/realtime/presence.ts). */
  presence: 'viewer',
  /** Teams (names and members) are listed to every member. */
  team: 'viewer',
  /** Who takes round-robin conversations (entity ids: members). */
  availability: 'viewer',
  /** A member's own notifications: entity ids are the recipients, and only they receive it. */
  notification: 'viewer',
  /** Internal notes: for the team that answers, not read-only viewers. */
  note: 'agent',
  /** Campaigns are managed by admins. */
  campaign: 'admin',
  /** For the hub itself (ends or adjusts subscriptions), never delivered. */
  membership: 'nobody',
};

/**
 * Whether a conversation's events may reach this subscriber. Every member sees every conversation of
 * the workspace today (row-level security already limits what is loaded to the subscriber's tenant);
 * a per-conversation rule (teams, private inboxes) goes here and receives the loaded row.
 */
export function maySeeConversation(_subscriber: Subscriber, _conversationId: string): boolean {
  return true;
}

export function mayReceiveKind(subscriber: Subscriber, kind: string): boolean {
  const minimum = minimumRoleByKind[kind.split('.')[0] ?? ''];
  if (!minimum || minimum === 'nobody') return false;
  return hasRole(subscriber.role, minimum);
}

/**
 * Kinds addressed to particular members: their entity ids are the recipients' user ids, and each
 * recipient receives the event naming only themselves (never who else was told).
 */
export const personalKinds = new Set(['notification']);

/** The entity ids of `kind` this subscriber may see: null when the event is not for them at all. */
export function visibleEntityIds(subscriber: Subscriber, kind: string, entityIds: string[]): string[] | null {
  if (!personalKinds.has(kind.split('.')[0] ?? '')) return entityIds;
  return subscriber.userId !== null && entityIds.includes(subscriber.userId) ? [subscriber.userId] : null;
}
