// @vitest-environment jsdom
import { MantineProvider } from '@mantine/core';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withNotes } from '../../collaboration/notesInThread.ts';
import { ActivityLine } from './ActivityLine.tsx';
import type { Activity } from './activity.ts';

beforeAll(() => {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList;
});
afterEach(cleanup);

const ada = '01900000-0000-7000-8000-00000000000a';
const ben = '01900000-0000-7000-8000-00000000000b';
const activity = (overrides: Partial<Activity>): Activity => ({
  id: crypto.randomUUID(),
  action: 'status',
  actorUserId: ada,
  actorName: 'Ada Agent',
  status: null,
  snoozedUntil: null,
  assignedUserId: null,
  assignedUserName: null,
  assignedTeamId: null,
  assignedTeamName: null,
  noteId: null,
  label: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  ...overrides,
});

const line = (entry: Activity) => {
  render(
    <MantineProvider>
      <ActivityLine activity={entry} />
    </MantineProvider>,
  );
  return screen.queryByTestId('activity')?.textContent ?? null;
};

describe('the activity timeline in the thread', () => {
  it('says who assigned, resolved, snoozed and labelled the conversation', () => {
    expect(line(activity({ action: 'status', status: 'resolved' }))).toMatch(
      /^Ada Agent resolved the conversation\u00a0· \d/,
    );
    cleanup();
    expect(
      line(activity({ action: 'assigned', assignedUserId: ben, assignedUserName: 'Ben Agent' })),
    ).toMatch(/^Ada Agent assigned the conversation to Ben Agent/);
    cleanup();
    expect(
      line(activity({ action: 'assigned', assignedUserId: ada, assignedUserName: 'Ada Agent' })),
    ).toMatch(/^Ada Agent took the conversation/);
    cleanup();
    expect(
      line(activity({ action: 'status', status: 'snoozed', snoozedUntil: '2026-12-07T09:00:00.000Z' })),
    ).toMatch(/^Ada Agent snoozed the conversation until /);
    cleanup();
    expect(line(activity({ action: 'labelled', label: { id: ben, name: 'VIP', color: 'grape' } }))).toMatch(
      /^Ada Agent added the label VIP\u00a0· \d/,
    );
  });

  it('keeps the time on the line of the words before it (never alone on a line, led by "·")', () => {
    line(activity({ action: 'status', status: 'resolved' }));
    const time = screen.getByTestId('activity-time');
    expect(time.style.whiteSpace).toBe('nowrap');
    // What precedes the time is a no-break space: a wrapping line cannot break right before it.
    expect(time.previousSibling?.textContent?.endsWith('\u00a0')).toBe(true);
    expect(time.textContent).toMatch(/^· \d/);
  });

  it('tells the system apart from a member, and keeps a former member without a name', () => {
    expect(line(activity({ action: 'status', status: 'open', actorUserId: null, actorName: null }))).toMatch(
      /^Reopened \(the customer wrote, or the snooze ended\)/,
    );
    cleanup();
    expect(
      line(
        activity({
          action: 'auto_assigned',
          actorUserId: null,
          actorName: null,
          assignedUserId: ben,
          assignedUserName: 'Ben Agent',
        }),
      ),
    ).toMatch(/^Assigned to Ben Agent by round robin/);
    cleanup();
    expect(line(activity({ action: 'status', status: 'pending', actorName: null }))).toMatch(
      /^A former member marked the conversation pending/,
    );
    cleanup();
    // A note is drawn as its own bubble, not as a line.
    expect(line(activity({ action: 'note' }))).toBeNull();
  });

  it('sits between the messages of its moment', () => {
    const message = (id: string, at: string) => ({ id, occurredAt: at });
    const items = withNotes(
      [message('m1', '2026-12-01T10:00:00.000Z'), message('m2', '2026-12-01T10:05:00.000Z')],
      [],
      true,
      [activity({ id: 'a1', createdAt: '2026-12-01T10:01:00.000Z' })],
    );
    expect(items.map((entry) => entry.item.id)).toEqual(['m1', 'a1', 'm2']);
    // Older than the oldest loaded message while older pages remain: waits for that page.
    const partial = withNotes([message('m2', '2026-12-01T10:05:00.000Z')], [], false, [
      activity({ id: 'a1', createdAt: '2026-12-01T10:01:00.000Z' }),
    ]);
    expect(partial.map((entry) => entry.item.id)).toEqual(['m2']);
  });
});
