import { useSearchParams } from 'react-router';
import type { RouterInputs } from '../../../trpc.ts';

export type InboxFilters = Omit<RouterInputs['conversation']['list'], 'cursor' | 'limit'>;
export type StatusTab = NonNullable<InboxFilters['status']> | 'all';

const statuses = ['open', 'pending', 'snoozed', 'resolved'] as const;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The inbox's filters live in the address (?status=open&assignee=me&label=…&number=…&unread=1&window=open),
 * so a filtered view can be bookmarked and sent to a colleague. `assignee` is me / unassigned /
 * anyone, or user:<id> / team:<id>. Unknown values are ignored. The default tab is "open".
 */
export function filtersFrom(params: URLSearchParams): InboxFilters {
  const filters: InboxFilters = {};
  const status = params.get('status') ?? 'open';
  if ((statuses as readonly string[]).includes(status)) filters.status = status as (typeof statuses)[number];
  const assignee = params.get('assignee') ?? '';
  if (assignee === 'me' || assignee === 'unassigned') filters.assignee = assignee;
  const [kind, id] = assignee.split(':');
  if (kind === 'user' && id && uuid.test(id)) filters.assignedUserId = id;
  if (kind === 'team' && id && uuid.test(id)) filters.teamId = id;
  const label = params.get('label');
  if (label && uuid.test(label)) filters.labelId = label;
  const number = params.get('number');
  if (number && /^\d{1,32}$/.test(number)) filters.phoneNumberId = number;
  if (params.get('unread') === '1') filters.unread = true;
  const window = params.get('window');
  if (window === 'open' || window === 'closed') filters.window = window;
  return filters;
}

export type FilterParam = 'status' | 'assignee' | 'label' | 'number' | 'unread' | 'window' | 'q';

/** The filters of the address, and a way to change one (the others, and the search, are kept). */
export function useInboxFilters() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  /** Changes some parameters at once (null or '' removes one); the history entry is replaced. */
  const change = (changes: Partial<Record<FilterParam, string | null>>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === undefined || value === '') next.delete(key);
      else next.set(key, value);
    }
    setParams(next, { replace: true });
  };
  const set = (key: FilterParam, value: string | null) => change({ [key]: value });
  const tab: StatusTab = filters.status ?? 'all';
  const assignee = params.get('assignee') ?? 'anyone';
  // The view's parameters (filters and search), for links that keep them; not the phone's screen choice.
  const kept = new URLSearchParams(params);
  kept.delete('panel');
  return { filters, tab, assignee, query: params.get('q') ?? '', search: kept.toString(), set, change };
}
