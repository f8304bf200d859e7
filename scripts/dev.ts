// `npm run dev`: the API (restarting on change) and Vite's dev server with hot reload, side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from './run-bin.ts';

const children: ChildProcess[] = [
  spawn(process.execPath, ['--watch', 'server/main.ts', 'all'], {
    cwd: projectRoot,
    stdio: 'inherit',
    env: {
      ...process.env,
      PORT: process.env.PORT ?? '3000',
      PUBLIC_URL: process.env.PUBLIC_URL ?? 'http://localhost:5173',
    },
  }),
  spawn(path.join(projectRoot, 'node_modules', '.bin', 'vite'), [], { cwd: projectRoot, stdio: 'inherit' }),
];

let stopping = false;
function stop(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 15_000).unref();
  Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => (child.exitCode === null ? child.on('exit', resolve) : resolve(null))),
    ),
  )
    .then(() => process.exit(code))
    .catch(() => process.exit(1));
}
for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
