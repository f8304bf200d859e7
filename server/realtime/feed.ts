import type { Tx } from '../db/tx.ts';
import { mutableRows } from '../db/rows.ts';
import {
  conversationTouches,
  currentPosition,
  eventsSince,
  type ConversationTouch,
} from '../domains/events/queries.ts';

/**
 * Where a reader of a tenant's events stands: every event with an id ≤ `after` is read, except
 * possibly those written by transactions with an xid ≥ `runningFrom` (still running when it read).
 * Sent to clients as the SSE event id "<after>-<runningFrom>", so a reconnecting client resumes
 * exactly where it was.
 */
export interface Cursor {
  after: number;
  runningFrom: string;
}

export const formatCursor = (cursor: Cursor) => `${cursor.after}-${cursor.runningFrom}`;

export function parseCursor(value: string | null | undefined): Cursor | null {
  const match = /^(\d{1,18})-(\d{1,20})$/.exec(value ?? '');
  if (!match?.[1] || !match[2]) return null;
  return { after: Number(match[1]), runningFrom: match[2] };
}

/** A change as subscribers receive it: ids, and the conversations it touched as loaded under RLS. */
export interface ChangeEvent {
  type: 'change';
  /** The event's id (also in the cursor): a client that sees one twice may skip it. */
  id: number;
  kind: string;
  entityIds: string[];
  conversationIds: string[];
  conversations: ConversationTouch[];
}

/** Delivered first (the subscription is live) or when the client must reload everything. */
export interface ControlEvent {
  type: 'ready' | 'resync';
}

export type RealtimeEvent = ChangeEvent | ControlEvent;

export interface Delivery {
  cursor: Cursor;
  event: RealtimeEvent;
}

/** How many events one read returns at most; more and the reader reads again. */
export const readLimit = 500;

export interface ReadResult {
  /** The events in id order, each with the cursor that is safe once it is delivered. */
  deliveries: Delivery[];
  /** Where the next read starts. */
  next: Cursor;
  /** Events after the cursor were pruned: the reader must reload everything. */
  resync: boolean;
  /** The read hit readLimit: read again at once. */
  more: boolean;
}

export async function startingCursor(tx: Tx): Promise<Cursor> {
  const position = await tx.one(currentPosition());
  return { after: position.lastId, runningFrom: position.runningFrom };
}

/**
 * The events a reader starting at `cursor` would read again although they committed before it
 * started (history to it): their ids, so it skips them.
 */
export async function historyAt(tx: Tx, cursor: Cursor): Promise<number[]> {
  const rows = await tx.any(eventsSince(cursor.after, cursor.runningFrom, readLimit));
  return rows.flatMap((row) => (row.id !== null && row.id <= cursor.after ? [row.id] : []));
}

/**
 * Reads the tenant's events after `cursor` (in a tenant transaction) and loads the conversations they
 * name under row-level security. Within the batch, an event's cursor keeps the previous horizon (later
 * events of the batch, possibly with smaller ids, are not delivered yet); the last one's moves it.
 */
export async function readSince(tx: Tx, cursor: Cursor): Promise<ReadResult> {
  const rows = await tx.any(eventsSince(cursor.after, cursor.runningFrom, readLimit));
  const horizon = rows[0]?.runningFrom ?? cursor.runningFrom;
  if (rows[0]?.resync) {
    return { deliveries: [], next: await startingCursor(tx), resync: true, more: false };
  }
  const events = rows.filter((row) => row.id !== null);
  const conversationIds = [...new Set(events.flatMap((row) => row.conversationIds ?? []))];
  const touches = conversationIds.length
    ? new Map((await mutableRows(tx.any(conversationTouches(conversationIds)))).map((c) => [c.id, c]))
    : new Map<string, ConversationTouch>();
  let after = cursor.after;
  const deliveries: Delivery[] = [];
  events.forEach((row, index) => {
    const id = row.id ?? 0;
    after = Math.max(after, id);
    const last = index === events.length - 1;
    const named = row.conversationIds ?? [];
    // Conversations row-level security did not return are not the subscriber's to know about: an
    // event about none but those is not delivered at all.
    const visible = named.filter((conversationId) => touches.has(conversationId));
    if (named.length > 0 && visible.length === 0) return;
    deliveries.push({
      cursor: last ? { after, runningFrom: horizon } : { after: id, runningFrom: cursor.runningFrom },
      event: {
        type: 'change',
        id,
        kind: row.kind ?? '',
        entityIds: row.entityIds ?? [],
        conversationIds: visible,
        conversations: visible.flatMap((conversationId) => touches.get(conversationId) ?? []),
      },
    });
  });
  return {
    deliveries,
    next: { after, runningFrom: horizon },
    resync: false,
    more: events.filter((row) => (row.id ?? 0) > cursor.after).length >= readLimit,
  };
}
