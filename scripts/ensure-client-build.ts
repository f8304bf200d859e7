// `npm start` runs this first: build the web app when dist/client is missing or older than its sources
// (SKIP_CLIENT_BUILD=1 skips the check, e.g. for an API-only start). The start script then `exec`s the
// server, so the signals npm forwards (SIGTERM, SIGINT) reach the server itself, not a shell.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot, runBin } from './run-bin.ts';

const built = path.join(projectRoot, 'dist', 'client', 'index.html');
const sources = [path.join(projectRoot, 'client'), path.join(projectRoot, 'vite.config.ts')];

function newestChange(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newestChange(path.join(entry, name))));
}

const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
const sourcesPresent = sources.every((source) => fs.existsSync(source));
const skip = process.env.SKIP_CLIENT_BUILD === '1';
if (!skip && sourcesPresent && Math.max(...sources.map(newestChange)) > builtAt) {
  process.stdout.write('Building the web app (first start, or its sources changed)…\n');
  const code = await runBin('vite', ['build', '--logLevel', 'warn']);
  if (code !== 0) process.exit(code);
}
