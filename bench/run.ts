// `npm run bench [-- name… --flag…]`: runs the benchmarks in bench/ one after another (all when none
// named); flags go to each named benchmark. versus-seed runs only when named: it needs wrk, Redis and
// ../shared/seed-baseline, and takes minutes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const helpers = ['run.ts', 'report.ts', 'http-load.ts', 'database.ts', 'preload.ts', 'cpu.ts'];
const available = fs
  .readdirSync(here)
  .filter((file) => file.endsWith('.ts') && !helpers.includes(file))
  .map((file) => file.replace(/\.ts$/, ''));
const onlyWhenNamed = ['versus-seed'];
const args = process.argv.slice(2);
const flags = args.filter((arg) => arg.startsWith('--'));
const named = args.filter((arg) => !arg.startsWith('--'));
const chosen = named.length ? named : available.filter((name) => !onlyWhenNamed.includes(name));

let failed = false;
for (const name of chosen) {
  if (!available.includes(name)) {
    process.stderr.write(`Unknown benchmark "${name}". Available: ${available.join(', ')}\n`);
    process.exit(2);
  }
  const code = await new Promise<number | null>((resolve) =>
    spawn(process.execPath, [path.join(here, `${name}.ts`), ...flags], { stdio: 'inherit' }).on(
      'exit',
      resolve,
    ),
  );
  if (code !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
