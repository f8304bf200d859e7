import { presenceNow } from '../domains/presence/queries.ts';
import type { PresenceEvent } from '../domains/presence/schemas.ts';
import type { Tx } from '../db/tx.ts';
import type { Logger } from '../logger.ts';

/** The channel app_public.set_presence NOTIFYs on (payload: the tenant id). */
export const presenceChannel = 'parley_presence';

/** Read again this long after the next expiry, so the row read is surely expired. */
const expiryMarginMs = 50;

interface PresenceHost {
  readonly tenantId: string;
  readonly logger: Logger;
  inTenant<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Whether anyone on this node still listens to the tenant. */
  readonly active: boolean;
  /** Hands a changed presence to the tenant's subscriptions. */
  deliver(event: PresenceEvent): void;
}

/**
 * One tenant's presence on a node with subscribers of it: read under row-level security when a
 * notification says it changed and again when its next row expires or stops typing (nobody notifies
 * an expiry), delivered only when it differs from what was delivered last. Nothing is kept but the
 * last presence, for subscribers that join.
 */
/** Nobody present: what a stream starts from, so an empty workspace sends nothing at all. */
const nobody: PresenceEvent = { type: 'presence', members: [] };

export class TenantPresence {
  private lastJson = JSON.stringify(nobody);
  private last: PresenceEvent = nobody;
  private reading = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly host: PresenceHost;

  constructor(host: PresenceHost) {
    this.host = host;
  }

  /**
   * The presence last read, for a subscriber that joins; undefined when nobody is present (a client
   * starts from nobody, so that needs no message).
   */
  get current(): PresenceEvent | undefined {
    return this.last.members.length > 0 ? this.last : undefined;
  }

  /** Reads now, or once more after the read in progress. */
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
      do {
        this.again = false;
        if (!this.host.active) return this.stop();
        const now = await this.host.inTenant((tx) => tx.one(presenceNow()));
        const event: PresenceEvent = { type: 'presence', members: [...now.members] };
        const json = JSON.stringify(event);
        if (json !== this.lastJson) {
          this.lastJson = json;
          this.last = event;
          this.host.deliver(event);
        }
        this.schedule(now.nextChangeInMs);
      } while (this.again);
    } catch (error) {
      this.host.logger.warn(
        { err: error, tenantId: this.host.tenantId },
        'realtime: reading presence failed',
      );
      this.schedule(1_000);
    }
  }

  private schedule(inMs: number | null): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (inMs === null) return;
    this.timer = setTimeout(() => this.read(), Math.max(0, inMs) + expiryMarginMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
