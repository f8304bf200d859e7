// `npm run bench [-- name…]`: runs the benchmarks in bench/ one after another (all when none named).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const all = fs
  .readdirSync(here)
  .filter(
    (file) => file.endsWith('.ts') && !['run.ts', 'report.ts', 'http-load.ts', 'database.ts'].includes(file),
  )
  .map((file) => file.replace(/\.ts$/, ''));
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : all;

let failed = false;
for (const name of chosen) {
  if (!all.includes(name)) {
    process.stderr.write(`Unknown benchmark "${name}". Available: ${all.join(', ')}\n`);
    process.exit(2);
  }
  const code = await new Promise<number | null>((resolve) =>
    spawn(process.execPath, [path.join(here, `${name}.ts`)], { stdio: 'inherit' }).on('exit', resolve),
  );
  if (code !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
