import type { RouterOutputs } from '../../trpc.ts';

export type Campaign = RouterOutputs['campaign']['list'][number];
export type Report = RouterOutputs['campaign']['report'];

export const statusColors: Record<Campaign['status'], string> = {
  scheduled: 'blue',
  running: 'teal',
  paused: 'yellow',
  completed: 'gray',
  cancelled: 'red',
  failed: 'red',
};

/** Recipients that have left the queue for good (sent on, failed, skipped or cancelled). */
export const doneCount = (r: Report) => r.sent + r.failed + r.skipped + r.cancelled;

/**
 * The report's counts are cumulative already (a read message counts as sent and delivered too, as
 * campaign.report documents), so the funnel reads them as they are.
 */
export function funnel(r: Report) {
  return { sent: r.sent, delivered: r.delivered, read: r.read };
}

export const percent = (part: number, whole: number) =>
  whole > 0 ? `${Math.round((part / whole) * 1000) / 10} %` : '–';

/** "2 min 5 s", "1 h 4 min": how long n messages take at `rate` a second. */
export function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const minutes = Math.round((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${minutes ? ` ${minutes} min` : ''}`;
}

/** The rate a campaign goes at: its max rate when lower than the number's throughput. */
export const effectiveRate = (throughputMps: number, maxRate: number | null | undefined) =>
  Math.max(1, Math.min(throughputMps, maxRate ?? throughputMps));

export const minuteLabel = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
