/**
 * The simulator's delayed work (status webhooks, template reviews, webhook retries) runs through here, so
 * tests can wait until everything scheduled has happened (`idle`) and `close` leaves no timer behind.
 */
export function createScheduler(onError: (error: unknown) => void) {
  const timers = new Set<NodeJS.Timeout>();
  let pending = 0;
  let closed = false;
  let waiters: (() => void)[] = [];

  function settle() {
    pending -= 1;
    if (pending === 0) {
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    }
  }

  function track<T>(work: Promise<T>): Promise<T> {
    pending += 1;
    return work.finally(settle);
  }

  return {
    /** Runs `task` after `ms`; a task may schedule more work before it finishes. */
    after(ms: number, task: () => void | Promise<void>): void {
      if (closed) return;
      pending += 1;
      const timer = setTimeout(() => {
        timers.delete(timer);
        Promise.resolve().then(task).catch(onError).finally(settle);
      }, ms);
      timers.add(timer);
    },

    /** Counts in-flight work that is not a timer (e.g. an HTTP delivery). */
    track,

    idle(): Promise<void> {
      return pending === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },

    close(): void {
      closed = true;
      for (const timer of timers) {
        clearTimeout(timer);
        settle();
      }
      timers.clear();
    },

    get closed() {
      return closed;
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
