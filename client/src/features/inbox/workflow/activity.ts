import type { RouterOutputs } from '../../../trpc.ts';

export type Activity = RouterOutputs['conversation']['activity'][number];

/** What a line of the timeline says; `label` is drawn as a badge after the text. */
export interface ActivityWords {
  text: string;
  label?: { name: string; color: string };
}

const formatUntil = (iso: string) =>
  new Date(iso).toLocaleString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });

/**
 * One activity of a conversation's timeline in words: "Ada resolved the conversation", "Reopened by
 * the customer's message or the end of a snooze" (no actor: the system), "Assigned to Ben by round
 * robin". Null for what the thread shows otherwise (a note is its own bubble).
 */
export function describeActivity(activity: Activity): ActivityWords | null {
  // Someone who has left the workspace keeps their place in the timeline, without a name.
  const actor = activity.actorUserId ? (activity.actorName ?? 'A former member') : null;
  const assignee = [
    activity.assignedUserId ? (activity.assignedUserName ?? 'a former member') : null,
    activity.assignedTeamId ? `team ${activity.assignedTeamName ?? '(deleted)'}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  switch (activity.action) {
    case 'status': {
      const done = {
        open: 'reopened the conversation',
        pending: 'marked the conversation pending',
        resolved: 'resolved the conversation',
        snoozed: `snoozed the conversation${activity.snoozedUntil ? ` until ${formatUntil(activity.snoozedUntil)}` : ''}`,
      }[activity.status ?? 'open'];
      if (actor) return { text: `${actor} ${done}` };
      return {
        text:
          activity.status === 'open'
            ? 'Reopened (the customer wrote, or the snooze ended)'
            : `${done[0]?.toUpperCase()}${done.slice(1)}`,
      };
    }
    case 'assigned':
      if (!assignee) return { text: actor ? `${actor} unassigned the conversation` : 'Unassigned' };
      if (actor && activity.assignedUserId === activity.actorUserId && !activity.assignedTeamId)
        return { text: `${actor} took the conversation` };
      return {
        text: actor ? `${actor} assigned the conversation to ${assignee}` : `Assigned to ${assignee}`,
      };
    case 'auto_assigned':
      return { text: `Assigned to ${assignee || 'nobody'} by round robin` };
    case 'labelled':
    case 'unlabelled': {
      const verb = activity.action === 'labelled' ? 'added the label' : 'removed the label';
      const text = actor ? `${actor} ${verb}` : `${verb[0]?.toUpperCase()}${verb.slice(1)}`;
      return activity.label ? { text, label: activity.label } : { text: `${text} (deleted)` };
    }
    case 'note':
      return null;
  }
}
