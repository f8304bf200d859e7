// CPU cost, which holds when the box is shared: wall-clock rates fall with other work on the cores,
// CPU-seconds per request mostly do not. Measured from /proc (Linux), so PostgreSQL must run on this
// machine (the embedded cluster or a local BENCH_DATABASE_URL); elsewhere the PostgreSQL side is NaN.
import fs from 'node:fs';
import pg from 'pg';

/** Kernel clock ticks per second (`getconf CLK_TCK`): 100 on every Linux this runs on. */
const ticksPerSecond = 100;

/** utime + stime of a process in µs, or undefined if it is gone (or /proc is not there). */
function processCpuUs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 counted from the state (field 3).
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export interface CpuSample {
  nodeUs: number;
  nodeSystemUs: number;
  /** Per PostgreSQL process: µs of CPU so far. */
  backends: Map<number, number>;
  background: Map<number, number>;
}

export interface CpuUsed {
  /** This Node process (all its threads: main, libuv pool, GC). */
  nodeUs: number;
  /** Of which in the kernel (socket reads and writes, mostly). */
  nodeSystemUs: number;
  /** The backends connected to this benchmark's database. */
  pgBackendUs: number;
  /** The cluster's own processes (WAL writer, checkpointer, autovacuum…): meaningful on a private cluster. */
  pgBackgroundUs: number;
}

/**
 * Samples CPU of this process and of the PostgreSQL processes behind `url`: its database's backends
 * and the cluster's background processes, read from pg_stat_activity. A backend that connects between
 * two samples counts from zero; one that exits in between is not counted (pools keep theirs open).
 */
export class CpuMeter {
  private readonly client: pg.Client;

  private constructor(client: pg.Client) {
    this.client = client;
  }

  static async open(url: string): Promise<CpuMeter> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new CpuMeter(client);
  }

  async sample(): Promise<CpuSample> {
    const { rows } = await this.client.query<{ pid: number; mine: boolean }>(
      `select pid, datname is not null and datname = current_database() as mine
       from pg_stat_activity where pid <> pg_backend_pid()`,
    );
    const backends = new Map<number, number>();
    const background = new Map<number, number>();
    for (const row of rows) {
      const us = processCpuUs(row.pid);
      if (us !== undefined) (row.mine ? backends : background).set(row.pid, us);
    }
    const { user, system } = process.cpuUsage();
    return { nodeUs: user + system, nodeSystemUs: system, backends, background };
  }

  static used(before: CpuSample, after: CpuSample): CpuUsed {
    const delta = (a: Map<number, number>, b: Map<number, number>) => {
      let sum = 0;
      for (const [pid, us] of b) sum += us - (a.get(pid) ?? 0);
      return sum;
    };
    return {
      nodeUs: after.nodeUs - before.nodeUs,
      nodeSystemUs: after.nodeSystemUs - before.nodeSystemUs,
      pgBackendUs: delta(before.backends, after.backends),
      pgBackgroundUs: delta(before.background, after.background),
    };
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** µs per unit, rounded to whole µs. */
export function perUnit(us: number, units: number): number {
  return units > 0 ? Math.round(us / units) : Number.NaN;
}
