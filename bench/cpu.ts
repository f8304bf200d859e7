import fs from 'node:fs/promises';
import path from 'node:path';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

const ticksPerSecond = 100; // USER_HZ on Linux

/** utime + stime (+ cutime + cstime: its children that exited) of a process, in seconds. */
async function processCpuSeconds(pid: number, withChildren: boolean): Promise<number> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((k) => Number(fields[k] ?? 0));
    return (
      ((utime ?? 0) + (stime ?? 0) + (withChildren ? (cutime ?? 0) + (cstime ?? 0) : 0)) / ticksPerSecond
    );
  } catch {
    return 0; // gone, or not on Linux
  }
}

/**
 * CPU seconds PostgreSQL has used so far on this machine: the postmaster (with the backends that
 * exited) plus every live backend. Null when the server is not local or /proc is not readable.
 */
export async function postgresCpuSeconds(owner: DatabasePool): Promise<number | null> {
  try {
    const dataDir = await owner.oneFirst(
      sql.type(z.object({ d: z.string() }))`select current_setting('data_directory') as d`,
    );
    const postmaster = Number(
      (await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    const children = (await fs.readdir('/proc')).filter((name) => /^\d+$/.test(name));
    let total = await processCpuSeconds(postmaster, true);
    for (const pid of children) {
      const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) total += await processCpuSeconds(Number(pid), false);
    }
    return total;
  } catch {
    return null;
  }
}

/** CPU seconds this Node process has used so far (all threads). */
export function nodeCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
