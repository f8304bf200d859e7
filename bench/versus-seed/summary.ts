import { z } from 'zod';

/** The part of seed-baseline's results JSON (summarize.mjs, schema 1) this harness reads. */
const phaseSchema = z.object({
  system: z.string(),
  config: z.string(),
  workers: z.number(),
  connections: z.number(),
  rps: z.number(),
  p50_ms: z.number(),
  p99_ms: z.number(),
  non_2xx: z.number(),
  acknowledged: z.number(),
  lost: z.number().optional(),
  drained: z.boolean().optional(),
  process_events_per_s: z.number().nullish(),
  drain_events_per_s: z.number().nullish(),
  backlog_at_load_end: z.number().nullish(),
});
export const seedResultsSchema = z.object({
  label: z.string(),
  settings: z.object({ duration_s: z.number() }),
  pg_limit_tps: z.number().nullable(),
  phases: z.array(phaseSchema),
});
type Phase = z.infer<typeof phaseSchema>;

/** The goals of DESIGN.md "Performance" and issue 17, each a ratio within one run. */
export const goals = { ratio: 2, p99Ms: 50, p99AtConnections: 64, connections: [16, 64, 256] };

const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null || b === 0 ? null : Math.round((a / b) * 100) / 100;

/** true/false when measured everywhere it applies, null when some figure is missing. */
const allAtLeast = (values: (number | null)[], min: number) =>
  values.length === 0 || values.some((v) => v === null) ? null : values.every((v) => (v ?? 0) >= min);

/**
 * Parley (the run's target phases) beside the baseline: per connection count, ingest req/s against
 * the baseline's one-process setup (WORKERS=1, the reference), and processing events/s under
 * load and draining alone. The baseline's worker is the same code whatever the connection count,
 * and its draining rate is measured only where a backlog built up, so its best figure of the run
 * stands for all.
 */
export function summarize(results: z.infer<typeof seedResultsSchema>) {
  const parley = results.phases.filter((p) => p.system === 'target');
  const baseline = results.phases.filter((p) => p.system === 'baseline');
  const baselineAt = (connections: number): Phase | undefined =>
    baseline.filter((p) => p.connections === connections).sort((a, b) => a.workers - b.workers)[0];
  const drainRates = baseline.map((p) => p.drain_events_per_s).filter((v): v is number => v != null);
  const baselineDraining = drainRates.length ? Math.max(...drainRates) : null;

  const ingest: Record<string, unknown> = {};
  const processing: Record<string, unknown> = {};
  const ingestRatios: (number | null)[] = [];
  const processRatios: (number | null)[] = [];
  const drainRatios: (number | null)[] = [];
  let lostTotal = 0;
  let allDrained = true;
  for (const p of parley) {
    const base = baselineAt(p.connections);
    const ingestRatio = ratio(p.rps, base?.rps);
    const processRatio = ratio(p.process_events_per_s, base?.process_events_per_s);
    const drainRatio = ratio(p.drain_events_per_s, baselineDraining);
    ingestRatios.push(ingestRatio);
    processRatios.push(processRatio);
    drainRatios.push(drainRatio);
    lostTotal += p.lost ?? 0;
    allDrained &&= p.drained === true;
    ingest[p.connections] = {
      baseline_rps: base?.rps ?? null,
      parley_rps: p.rps,
      ratio: ingestRatio,
      baseline_p99_ms: base?.p99_ms ?? null,
      parley_p50_ms: p.p50_ms,
      parley_p99_ms: p.p99_ms,
      parley_non_2xx: p.non_2xx,
      parley_acknowledged: p.acknowledged,
      lost: p.lost ?? null,
      drained: p.drained ?? null,
    };
    processing[p.connections] = {
      baseline_events_per_s: base?.process_events_per_s ?? null,
      parley_events_per_s: p.process_events_per_s ?? null,
      ratio: processRatio,
      parley_backlog_at_load_end: p.backlog_at_load_end ?? null,
      baseline_draining_events_per_s: baselineDraining,
      // null when Parley kept up (backlog under 2,000 when the load stopped): nothing to drain alone
      parley_draining_events_per_s: p.drain_events_per_s ?? null,
      draining_ratio: drainRatio,
    };
  }
  const at64 = parley.find((p) => p.connections === goals.p99AtConnections);
  const measured = parley.map((p) => p.connections);
  const verdicts = {
    ingest_2x: allAtLeast(ingestRatios, goals.ratio),
    processing_2x_under_load: allAtLeast(processRatios, goals.ratio),
    processing_2x_draining_alone: allAtLeast(drainRatios, goals.ratio),
    p99_le_50ms_at_64: at64 ? at64.p99_ms <= goals.p99Ms : null,
    zero_lost: parley.length === 0 ? null : allDrained && lostTotal === 0,
  };
  const complete = goals.connections.every((c) => measured.includes(c));
  return {
    connections: measured,
    pg_limit_inserts_per_s: results.pg_limit_tps,
    ingest,
    processing,
    goals: {
      ...verdicts,
      // Done means every goal met in a full run (16, 64 and 256 connections), not a --quick one.
      all_met: complete && Object.values(verdicts).every((v) => v === true),
      complete_run: complete,
    },
  };
}
