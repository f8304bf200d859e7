import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configVariables } from './config.ts';
import { configTable, readmeConfigTable } from '../scripts/config-table.ts';

const root = path.resolve(import.meta.dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('documents every environment variable config.ts reads', () => {
    const documented = new Set([...readme.matchAll(/^\| `([A-Z_]+)`/gm)].map((match) => match[1]));
    expect(configVariables.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('holds the configuration table generated from config.ts (npm run docs:config rewrites it)', async () => {
    expect(readmeConfigTable(readme)).toBe(await configTable());
  });

  it('explains the encryption key backup and rotation, the simulator and its port, and where mail goes', () => {
    expect(readme).toContain('npm run rotate-keys');
    expect(readme).toMatch(/back (that value|it) up/i);
    expect(readme).toContain('npm run simulator');
    expect(readme).toContain('4010');
    expect(readme).toContain('email (log mailer)');
    expect(readme).toContain('Try the sandbox');
  });

  it('links only to files inside the repository', () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)]
      .map((match) => match[1]!)
      .filter((link) => !/^https?:/.test(link));
    for (const link of links) expect(fs.existsSync(path.join(root, link)), link).toBe(true);
    expect(readme).not.toContain('../shared/');
  });
});
