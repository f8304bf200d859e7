/**
 * Timestamps along the webhook → realtime path, for `npm run bench -- realtime` (BENCH_TRACE=1 sets
 * PARLEY_LATENCY_TRACE=1 in the server processes). Off by default: one boolean test per point.
 * Each mark is one JSON line on stderr: {"trace":point,"at":epoch ms (µs precision),...keys}.
 */
const enabled = process.env.PARLEY_LATENCY_TRACE === '1';

export function traceEnabled(): boolean {
  return enabled;
}

export function mark(point: string, keys: Record<string, unknown> = {}): void {
  if (!enabled) return;
  process.stderr.write(
    `${JSON.stringify({ trace: point, at: performance.timeOrigin + performance.now(), pid: process.pid, ...keys })}\n`,
  );
}
