/**
 * README.md's configuration table, generated from server/config.ts (each variable's `.meta()`):
 * `npm run docs:config` rewrites it between its markers; server/readme.test.ts fails when it is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import prettier from 'prettier';
import { configDocs } from '../server/config.ts';

export const readmePath = path.resolve(import.meta.dirname, '..', 'README.md');
const start = '<!-- config-table:start (generated from server/config.ts: npm run docs:config) -->';
const end = '<!-- config-table:end -->';

/** The table as Prettier lays it out (README.md is kept Prettier-formatted). */
export async function configTable(): Promise<string> {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const rows = configDocs().map(
    (doc) => `| \`${doc.name}\` | ${escape(doc.shownDefault)} | ${escape(doc.description)} |`,
  );
  const markdown = ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
  return (await prettier.format(markdown, { parser: 'markdown', filepath: readmePath })).trim();
}

/** The table README.md holds now, between its markers. */
export function readmeConfigTable(readme: string): string | undefined {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) return undefined;
  return readme.slice(from + start.length, to).trim();
}

export async function writeConfigTable(): Promise<boolean> {
  const readme = fs.readFileSync(readmePath, 'utf8');
  const current = readmeConfigTable(readme);
  if (current === undefined) throw new Error(`README.md lacks the markers ${start} … ${end}`);
  const table = await configTable();
  if (current === table) return false;
  const from = readme.indexOf(start) + start.length;
  fs.writeFileSync(
    readmePath,
    `${readme.slice(0, from)}\n\n${table}\n\n${readme.slice(readme.indexOf(end))}`,
  );
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const changed = await writeConfigTable();
  process.stdout.write(`README.md: configuration table ${changed ? 'updated' : 'up to date'}\n`);
}
