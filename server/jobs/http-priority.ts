import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Whether this node's HTTP side is busy right now (requests waiting, or a slow event loop). */
export type BusySignal = () => boolean;

/**
 * Gives the HTTP path priority over background work in a node that runs both (`all`): while HTTP is
 * busy, at most `whenBusy` units of work run at once (the rest wait their turn), otherwise up to
 * `max`. A unit already running is never interrupted; the limit applies when the next one starts, and
 * waiting work is let in as soon as the signal clears (checked every `recheckMs` while any waits).
 */
export class HttpPriority {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly busy: BusySignal;
  private readonly max: number;
  private readonly whenBusy: number;
  private readonly recheckMs: number;

  constructor(busy: BusySignal, options: { max: number; whenBusy?: number; recheckMs?: number }) {
    this.busy = busy;
    this.max = options.max;
    this.whenBusy = Math.min(options.whenBusy ?? 1, options.max);
    this.recheckMs = options.recheckMs ?? 20;
  }

  /** How many may run now. */
  get allowed(): number {
    return this.busy() ? this.whenBusy : this.max;
  }

  get running(): number {
    return this.active;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.waiting.length === 0 && this.active < this.allowed) this.active++;
    else
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve); // admit() counts it as running when it lets it in
        this.schedule();
      });
    try {
      return await work();
    } finally {
      this.active--;
      this.admit();
    }
  }

  /** The busy signal may have cleared (e.g. the webhook writer committed): admits waiting work now, not at the next recheck. */
  recheck(): void {
    if (this.waiting.length > 0) this.admit();
  }

  private admit(): void {
    while (this.waiting.length > 0 && this.active < this.allowed) {
      this.active++;
      this.waiting.shift()?.();
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.waiting.length === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.admit();
    }, this.recheckMs);
    this.timer.unref();
  }
}

/**
 * The busy signal of a node that serves webhooks: deliveries waiting for their commit (each one a
 * request waiting for its answer) at or above `pendingRequests`, or any waiting while the event
 * loop's mean delay over the last `windowMs` was at or above `loopDelayMs` (a slow loop alone may be
 * the background work itself, which must not throttle itself when no request waits).
 */
export function httpBusySignal(
  pending: () => number,
  options: { pendingRequests?: number; loopDelayMs?: number; windowMs?: number } = {},
): { busy: BusySignal; stop(): void } {
  const pendingRequests = options.pendingRequests ?? 8;
  const loopDelayNs = (options.loopDelayMs ?? 20) * 1e6;
  const windowMs = options.windowMs ?? 250;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let delayed = false;
  const timer = setInterval(() => {
    delayed = histogram.count > 0 && histogram.mean >= loopDelayNs;
    histogram.reset();
  }, windowMs);
  timer.unref();
  return {
    busy: () => {
      const waiting = pending();
      return waiting >= pendingRequests || (delayed && waiting > 0);
    },
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
