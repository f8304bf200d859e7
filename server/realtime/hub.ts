import { TRPCError } from '@trpc/server';
import type { DatabasePool } from 'slonik';
import { withTenant } from '../db/tx.ts';
import { apiKeyLive, subscriberRole } from '../domains/events/queries.ts';
import { roleSchema } from '../domains/members/roles.ts';
import type { Logger } from '../logger.ts';
import {
  historyAt,
  readSince,
  startingCursor,
  type ChangeEvent,
  type Cursor,
  type Delivery,
  type ReadResult,
} from './feed.ts';
import { mayReceiveKind, maySeeConversation, visibleEntityIds, type Subscriber } from './visibility.ts';
import type { PresenceEvent } from '../domains/presence/schemas.ts';
import { TenantPresence } from './presence.ts';
import { mark } from '../observability/latency-trace.ts';

/**
 * What a subscription yields: a delivery of the bus (with its cursor), or the workspace's presence,
 * which has no cursor (ephemeral: never replayed, sent whole when it changes and when a stream starts).
 */
export type Outgoing = Delivery | { cursor: null; event: PresenceEvent };

/** Deliveries a slow client may have queued before it is told to resync instead. */
const maxQueued = 2_000;
/** Event ids a subscription remembers, to skip an event read twice (replay, then live). */
const rememberedIds = 4_096;

/**
 * One subscriber's stream: the hub pushes deliveries, the tRPC subscription pulls them. Events the
 * subscriber may not receive are filtered here; so are events it already got.
 */
export class Subscription implements AsyncIterable<Outgoing> {
  private queue: Delivery[] = [];
  /** The newest presence not yet yielded (a newer one replaces it: only the latest matters). */
  private presence: PresenceEvent | undefined;
  private wake: (() => void) | undefined;
  private ended: Error | null | undefined;
  private readonly seen = new Set<number>();
  /** Called once when the stream ends, however it ends (the hub forgets it). */
  onEnd: (() => void) | undefined;

  readonly subscriber: Subscriber;
  private readonly currentCursor: () => Cursor | undefined;

  constructor(subscriber: Subscriber, currentCursor: () => Cursor | undefined) {
    this.subscriber = subscriber;
    this.currentCursor = currentCursor;
  }

  /** Adds deliveries (in order), skipping what this subscriber may not see or has seen. */
  push(deliveries: readonly Delivery[]): void {
    if (this.ended !== undefined) return;
    for (const delivery of deliveries) {
      const event = delivery.event;
      if (event.type === 'change') {
        if (this.seen.has(event.id)) continue;
        this.remember(event.id);
        const filtered = this.filter(event);
        if (!filtered) continue;
        this.queue.push({ cursor: delivery.cursor, event: filtered });
      } else {
        this.queue.push(delivery);
      }
    }
    if (this.queue.length > maxQueued) {
      // Too slow to keep up: drop the backlog, the client reloads instead.
      const cursor = this.currentCursor() ?? this.queue.at(-1)?.cursor;
      this.queue = cursor ? [{ cursor, event: { type: 'resync' } }] : [];
    }
    this.wake?.();
  }

  /**
   * Puts a replay (or the opening 'ready') ahead of the live deliveries queued meanwhile, in its own
   * order; live deliveries of the same events are dropped, since a cursor of the replay already counts them.
   */
  pushFirst(deliveries: readonly Delivery[]): void {
    const live = this.queue;
    this.queue = [];
    const replayed = new Set<number>();
    for (const delivery of deliveries) {
      if (delivery.event.type === 'change') {
        replayed.add(delivery.event.id);
        this.seen.delete(delivery.event.id);
      }
    }
    this.push(deliveries);
    this.queue.push(...live.filter((d) => d.event.type !== 'change' || !replayed.has(d.event.id)));
    this.wake?.();
  }

  private remember(id: number): void {
    this.seen.add(id);
    if (this.seen.size > rememberedIds) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  private filter(event: ChangeEvent): ChangeEvent | null {
    if (!mayReceiveKind(this.subscriber, event.kind)) return null;
    const entityIds = visibleEntityIds(this.subscriber, event.kind, event.entityIds);
    if (entityIds === null) return null;
    const conversationIds = event.conversationIds.filter((id) => maySeeConversation(this.subscriber, id));
    // An event about conversations none of which this subscriber may see is not delivered.
    if (event.conversationIds.length > 0 && conversationIds.length === 0) return null;
    return {
      ...event,
      entityIds,
      conversationIds,
      conversations: event.conversations.filter((c) => conversationIds.includes(c.id)),
    };
  }

  /** The workspace's presence changed (or the stream starts): yielded before queued deliveries. */
  pushPresence(event: PresenceEvent): void {
    if (this.ended !== undefined || !mayReceiveKind(this.subscriber, 'presence')) return;
    this.presence = event;
    this.wake?.();
  }

  /** Ends the stream: cleanly (null) or with an error the client receives. */
  end(error: Error | null = null): void {
    if (this.ended !== undefined) return;
    this.ended = error;
    this.wake?.();
    this.onEnd?.();
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Outgoing> {
    for (;;) {
      const presence = this.presence;
      if (presence && this.ended === undefined) {
        this.presence = undefined;
        yield { cursor: null, event: presence };
        continue;
      }
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended !== undefined) {
        if (this.ended) throw this.ended;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

/** One tenant's live reader on this node: reads after its cursor whenever a notification comes. */
class TenantStream {
  readonly subscriptions = new Set<Subscription>();
  /** Events this stream delivered already: a re-read (see feed.ts) goes to nobody twice. */
  private readonly delivered = new Set<number>();
  cursor: Cursor | undefined;
  private ready: Promise<void> | undefined;
  private reading = false;
  private again = false;

  private readonly hub: RealtimeHub;
  readonly tenantId: string;
  /** Who of the workspace is online, viewing, typing (server/realtime/presence.ts). */
  readonly presence: TenantPresence;

  constructor(hub: RealtimeHub, tenantId: string) {
    this.hub = hub;
    this.tenantId = tenantId;
    const subscriptions = this.subscriptions;
    this.presence = new TenantPresence({
      tenantId,
      logger: hub.logger,
      inTenant: (fn) => hub.inTenant(tenantId, fn),
      get active() {
        return subscriptions.size > 0;
      },
      deliver: (event) => {
        for (const subscription of subscriptions) subscription.pushPresence(event);
      },
    });
  }

  /** Starts the tenant's cursor (once): later reads deliver what commits after this point. */
  start(): Promise<void> {
    this.ready ??= this.hub
      .inTenant(this.tenantId, async (tx) => {
        const cursor = await startingCursor(tx);
        for (const id of await historyAt(tx, cursor)) this.remember(id);
        this.cursor = cursor;
      })
      .catch((error: unknown) => {
        this.ready = undefined; // the next read or subscriber tries again
        throw error;
      });
    return this.ready;
  }

  private remember(id: number): void {
    this.delivered.add(id);
    if (this.delivered.size > rememberedIds) {
      const oldest = this.delivered.values().next().value;
      if (oldest !== undefined) this.delivered.delete(oldest);
    }
  }

  /** Reads now, or once more after the read in progress (notifications coalesce). */
  read(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.readLoop().finally(() => {
      this.reading = false;
    });
  }

  private async readLoop(): Promise<void> {
    try {
      await this.start();
      do {
        this.again = false;
        const cursor = this.cursor;
        if (!cursor || this.subscriptions.size === 0) return;
        mark('hub.read', { tenantId: this.tenantId });
        const result: ReadResult = await this.hub.inTenant(this.tenantId, (tx) => readSince(tx, cursor));
        mark('hub.readDone', { tenantId: this.tenantId, n: result.deliveries.length });
        this.cursor = result.next;
        if (result.resync) {
          for (const subscription of this.subscriptions) {
            subscription.push([{ cursor: result.next, event: { type: 'resync' } }]);
          }
          continue;
        }
        const fresh = result.deliveries.filter(
          (d) => d.event.type !== 'change' || !this.delivered.has(d.event.id),
        );
        for (const delivery of fresh) if (delivery.event.type === 'change') this.remember(delivery.event.id);
        if (fresh.length) {
          for (const subscription of this.subscriptions) subscription.push(fresh);
          this.hub.membershipChanges(this, fresh);
        }
        if (result.more) this.again = true;
      } while (this.again);
    } catch (error) {
      this.hub.logger.warn({ err: error, tenantId: this.tenantId }, 'realtime: reading events failed');
      // Try again shortly: the cursor did not move, so nothing is lost.
      setTimeout(() => this.read(), 1_000).unref();
    }
  }
}

export interface HubOptions {
  /** How often sessions and API keys of open subscriptions are checked again (ended, removed, revoked). */
  revalidateEveryMs?: number;
}

/**
 * The node's realtime fan-out: one reader per tenant with subscribers on this node, woken by the
 * LISTEN connection's notifications, delivering to that tenant's subscriptions. Subscriptions end
 * when their session ends or their member is removed (checked on membership events and periodically).
 */
export class RealtimeHub {
  private readonly tenants = new Map<string, TenantStream>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  private readonly pool: DatabasePool;
  readonly logger: Logger;

  constructor(pool: DatabasePool, logger: Logger, options: HubOptions = {}) {
    this.pool = pool;
    this.logger = logger;
    this.timer = setInterval(() => void this.revalidateAll(), options.revalidateEveryMs ?? 30_000);
    this.timer.unref();
  }

  inTenant<T>(tenantId: string, fn: Parameters<typeof withTenant<T>>[2]): Promise<T> {
    return withTenant(this.pool, tenantId, fn);
  }

  /** Open subscriptions on this node (the /metrics gauge). */
  get subscriberCount(): number {
    let count = 0;
    for (const stream of this.tenants.values()) count += stream.subscriptions.size;
    return count;
  }

  /** A notification from the listener. */
  onEvent(tenantId: string): void {
    mark('hub.notified', { tenantId });
    this.tenants.get(tenantId)?.read();
  }

  /** A presence notification from the listener: the tenant's presence changed. */
  onPresence(tenantId: string): void {
    this.tenants.get(tenantId)?.presence.read();
  }

  /** The listener reconnected: notifications may have been lost, so every tenant reads after its cursor. */
  onReconnect(): void {
    for (const stream of this.tenants.values()) {
      stream.read();
      stream.presence.read();
    }
  }

  /** Open subscriptions on this node (for tests and the bench). */
  get size(): number {
    let count = 0;
    for (const stream of this.tenants.values()) count += stream.subscriptions.size;
    return count;
  }

  /**
   * Opens a subscription that delivers from `from` (a client's last cursor; null: from now, after a
   * 'ready'). Replays what was missed, then goes live without a gap: the subscription is registered
   * before the replay reads, and events read twice are skipped.
   */
  async subscribe(subscriber: Subscriber, from: Cursor | null, signal?: AbortSignal): Promise<Subscription> {
    if (this.closed) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The server is stopping.' });
    let stream = this.tenants.get(subscriber.tenantId);
    if (!stream) {
      stream = new TenantStream(this, subscriber.tenantId);
      this.tenants.set(subscriber.tenantId, stream);
    }
    const tenantStream = stream;
    const subscription = new Subscription(subscriber, () => tenantStream.cursor);
    tenantStream.subscriptions.add(subscription);
    const remove = () => {
      tenantStream.subscriptions.delete(subscription);
      if (tenantStream.subscriptions.size === 0 && this.tenants.get(subscriber.tenantId) === tenantStream) {
        this.tenants.delete(subscriber.tenantId);
        tenantStream.presence.stop();
      }
    };
    subscription.onEnd = remove;
    if (signal?.aborted) subscription.end();
    signal?.addEventListener('abort', () => subscription.end(), { once: true });
    // Presence first: what the workspace's stream knows now, and a read (delivered if it changed).
    const presence = tenantStream.presence.current;
    if (presence) subscription.pushPresence(presence);
    tenantStream.presence.read();
    try {
      await tenantStream.start();
      if (!from) {
        const now = await this.inTenant(subscriber.tenantId, (tx) => startingCursor(tx));
        subscription.pushFirst([{ cursor: now, event: { type: 'ready' } }]);
        return subscription;
      }
      // Replays in pages until caught up; live deliveries wait in the queue behind it.
      let cursor = from;
      const replay: Delivery[] = [];
      for (;;) {
        const at = cursor;
        const result = await this.inTenant(subscriber.tenantId, (tx) => readSince(tx, at));
        if (result.resync) {
          subscription.push([{ cursor: result.next, event: { type: 'resync' } }]);
          return subscription;
        }
        replay.push(...result.deliveries);
        cursor = result.next;
        if (!result.more) break;
      }
      subscription.pushFirst(replay);
      return subscription;
    } catch (error) {
      subscription.end();
      throw error;
    }
  }

  /** Members whose membership changed get their role checked again (removed: their subscription ends). */
  membershipChanges(stream: TenantStream, deliveries: readonly Delivery[]): void {
    const users = new Set(
      deliveries.flatMap((d) =>
        d.event.type === 'change' && d.event.kind === 'membership.changed' ? d.event.entityIds : [],
      ),
    );
    if (users.size === 0) return;
    const affected = [...stream.subscriptions].filter(
      (s) => s.subscriber.userId && users.has(s.subscriber.userId),
    );
    void this.revalidate(stream.tenantId, affected);
  }

  async revalidateAll(): Promise<void> {
    for (const stream of this.tenants.values())
      await this.revalidate(stream.tenantId, [...stream.subscriptions]);
  }

  /** Checks sessions and API keys again; ends the subscriptions that lost access, follows role changes. */
  async revalidate(tenantId: string, subscriptions: readonly Subscription[]): Promise<void> {
    if (subscriptions.length === 0) return;
    try {
      await this.inTenant(tenantId, async (tx) => {
        for (const subscription of subscriptions) {
          const { sessionId, apiKeyId } = subscription.subscriber;
          if (sessionId) {
            const role = roleSchema.safeParse(await tx.oneFirst(subscriberRole(sessionId)));
            if (!role.success) {
              subscription.end(
                new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session or membership has ended.' }),
              );
            } else {
              subscription.subscriber.role = role.data;
            }
          } else if (apiKeyId && !(await tx.oneFirst(apiKeyLive(apiKeyId)))) {
            subscription.end(new TRPCError({ code: 'UNAUTHORIZED', message: 'This API key was revoked.' }));
          }
        }
      });
    } catch (error) {
      this.logger.warn({ err: error, tenantId }, 'realtime: checking subscribers failed');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const stream of this.tenants.values()) {
      stream.presence.stop();
      for (const subscription of stream.subscriptions) subscription.end();
    }
    this.tenants.clear();
  }
}
