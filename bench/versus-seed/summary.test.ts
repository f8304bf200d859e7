import { describe, expect, it } from 'vitest';
import { summarize } from './summary.ts';

type Results = Parameters<typeof summarize>[0];
type Phase = Results['phases'][number];

const phase = (fields: Partial<Phase> & Pick<Phase, 'system' | 'connections'>): Phase => ({
  config: fields.system,
  workers: 0,
  rps: 1000,
  p50_ms: 10,
  p99_ms: 40,
  non_2xx: 0,
  acknowledged: 15_000,
  lost: 0,
  drained: true,
  process_events_per_s: 1000,
  drain_events_per_s: null,
  backlog_at_load_end: 0,
  ...fields,
});

const baseline = [16, 64, 256].flatMap((connections) => [
  phase({ system: 'baseline', workers: 1, connections, rps: 1600, process_events_per_s: 1500 }),
  phase({
    system: 'baseline',
    workers: 2,
    connections,
    rps: 1200,
    process_events_per_s: 1000,
    drain_events_per_s: 2500 + connections,
  }),
]);
const results = (parley: Phase[]): Results => ({
  label: 'test',
  settings: { duration_s: 15 },
  pg_limit_tps: 7000,
  phases: [...baseline, ...parley],
});

describe('the versus-seed summary', () => {
  it('compares Parley with the one-process baseline per connection count and its best draining rate', () => {
    const summary = summarize(
      results([
        phase({
          system: 'target',
          connections: 64,
          rps: 4000,
          p99_ms: 30,
          process_events_per_s: 3600,
          drain_events_per_s: 6000,
        }),
      ]),
    );
    expect(summary.ingest[64]).toMatchObject({
      baseline_rps: 1600,
      parley_rps: 4000,
      ratio: 2.5,
      parley_p99_ms: 30,
    });
    expect(summary.processing[64]).toMatchObject({
      baseline_events_per_s: 1500,
      ratio: 2.4,
      baseline_draining_events_per_s: 2756,
      draining_ratio: 2.18,
    });
    expect(summary.pg_limit_inserts_per_s).toBe(7000);
  });

  it('meets every goal only in a complete run where each one holds', () => {
    const fast = (connections: number) =>
      phase({
        system: 'target',
        connections,
        rps: 3300,
        p99_ms: 45,
        process_events_per_s: 3100,
        drain_events_per_s: 5600,
      });
    expect(summarize(results([16, 64, 256].map(fast))).goals).toEqual({
      ingest_2x: true,
      processing_2x_under_load: true,
      processing_2x_draining_alone: true,
      p99_le_50ms_at_64: true,
      zero_lost: true,
      all_met: true,
      complete_run: true,
    });
    expect(summarize(results([fast(64)])).goals).toMatchObject({
      ingest_2x: true,
      all_met: false,
      complete_run: false,
    });
  });

  it('leaves a goal open when its figure was not measured, and counts an undrained run as not lossless', () => {
    const goals = summarize(
      results([
        phase({
          system: 'target',
          connections: 16,
          rps: 4000,
          drain_events_per_s: null,
          drained: false,
          lost: 0,
        }),
      ]),
    ).goals;
    expect(goals.processing_2x_draining_alone).toBeNull();
    expect(goals.p99_le_50ms_at_64).toBeNull();
    expect(goals.zero_lost).toBe(false);
  });
});
