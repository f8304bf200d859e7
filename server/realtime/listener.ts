import pg from 'pg';
import type { Logger } from '../logger.ts';
import { presenceChannel } from './presence.ts';

/** The channel the realtime triggers NOTIFY on (sql/functions/90-realtime.sql): payload "<tenant id>:<event id>". */
export const realtimeChannel = 'parley_realtime';

export interface ListenerHandlers {
  /** A notification: events of this tenant were committed. */
  onEvent(tenantId: string, eventId: number): void;
  /** Presence of this tenant's members changed (app_public.set_presence; not recorded as an event). */
  onPresence?(tenantId: string): void;
  /** The connection came back after a loss: notifications in between are gone, so readers catch up. */
  onReconnect(): void;
}

export interface ListenerOptions {
  /** First delay before reconnecting; doubles up to maxBackoffMs (with jitter). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * One LISTEN connection per node: a dedicated pg client (not from a pool, whose idle reaping would
 * drop the LISTEN) that reconnects with exponential backoff when the connection is lost, and says so
 * (onReconnect) so the hub re-reads what it may have missed from the events table.
 */
export class RealtimeListener {
  private client: pg.Client | undefined;
  private closed = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private everConnected = false;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  private readonly connectionString: string;
  private readonly logger: Logger;
  private readonly handlers: ListenerHandlers;

  constructor(
    connectionString: string,
    logger: Logger,
    handlers: ListenerHandlers,
    options: ListenerOptions = {},
  ) {
    this.connectionString = connectionString;
    this.logger = logger;
    this.handlers = handlers;
    this.minBackoffMs = options.minBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
  }

  /** Connects and listens; a failure here is retried in the background like a later loss. */
  async start(): Promise<void> {
    await this.connect();
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: 'parley-realtime',
      keepAlive: true,
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => {});
      if (this.closed) return;
      this.logger.warn({ err: error }, 'realtime: LISTEN connection lost, reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === presenceChannel && message.payload) {
        this.handlers.onPresence?.(message.payload);
        return;
      }
      if (message.channel !== realtimeChannel || !message.payload) return;
      const [tenantId, eventId] = message.payload.split(':');
      if (tenantId && eventId) this.handlers.onEvent(tenantId, Number(eventId));
    });
    try {
      await client.connect();
      await client.query(`listen ${realtimeChannel}; listen ${presenceChannel}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.attempt = 0;
    if (this.everConnected) {
      this.logger.info('realtime: LISTEN connection back, catching up');
      this.handlers.onReconnect();
    }
    this.everConnected = true;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer) return;
    const base = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** this.attempt);
    this.attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, delay);
    this.timer.unref();
  }

  /** The backend pid of the LISTEN connection (tests terminate it to prove reconnects). */
  async backendPid(): Promise<number | undefined> {
    const client = this.client;
    if (!client) return undefined;
    const result = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    return result.rows[0]?.pid;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
