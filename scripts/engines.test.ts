import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './run-bin.ts';

const packageJson = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devEngines: { runtime: { name: string; version: string } };
  devDependencies: Record<string, string>;
};

/** PATH without this project's node_modules/.bin: the system's own node and npm, as a newcomer has them. */
function systemPath(): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .join(path.delimiter);
}

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: projectRoot,
      env: { ...process.env, PATH: systemPath() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('installing', () => {
  it('declares the Node that runs Parley (the node@24 devDependency) and the Node that may run npm', () => {
    const bundled = Number(packageJson.devDependencies.node?.split('.')[0]);
    expect(packageJson.engines.node).toBe(`>=${bundled}`);
    expect(packageJson.devEngines.runtime).toMatchObject({ name: 'node', version: '>=20.17' });
  });

  it('prints no engine warnings with the system npm and Node', { timeout: 120_000 }, async () => {
    const { code, output } = await run('npm', ['install', '--dry-run', '--no-audit', '--no-fund']);
    const { output: version } = await run('node', ['--version']);
    expect(code, output).toBe(0);
    expect(output, `system Node ${version.trim()}`).not.toMatch(/EBADENGINE|npm warn/);
  });
});
