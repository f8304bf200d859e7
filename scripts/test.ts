// `npm test`: the one gate. Typecheck, lint, format, every vitest test, and the production build;
// ends with a single "N passed, N failed" line (vitest tests plus one per gate).
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot, runBin } from './run-bin.ts';

interface Gate {
  name: string;
  bin: string;
  args: string[];
}

const reportFile = path.join(projectRoot, '.vitest-report.json');
const gates: Gate[] = [
  { name: 'typecheck', bin: 'tsc', args: ['-p', '.'] },
  { name: 'lint', bin: 'eslint', args: ['.'] },
  { name: 'format', bin: 'prettier', args: ['--check', '.', '--log-level', 'warn'] },
  { name: 'build', bin: 'vite', args: ['build', '--logLevel', 'warn'] },
];

// `--tests-only`: just the vitest suite (CI's second pass against another PostgreSQL).
const testsOnly = process.argv.includes('--tests-only');
const extraVitestArgs = process.argv.slice(2).filter((arg) => arg !== '--tests-only');
let passed = 0;
let failed = 0;
const summary: string[] = [];

for (const gate of testsOnly ? [] : gates.slice(0, 3)) {
  process.stdout.write(`\n▶ ${gate.name}\n`);
  const ok = (await runBin(gate.bin, gate.args)) === 0;
  summary.push(`${ok ? '✓' : '✗'} ${gate.name}`);
  if (ok) passed++;
  else failed++;
}

process.stdout.write('\n▶ tests\n');
fs.rmSync(reportFile, { force: true });
const vitestCode = await runBin('vitest', [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${reportFile}`,
  ...extraVitestArgs,
]);
try {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numTotalTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A suite that failed to load reports no tests; count the run itself as a failure then.
  const unexplained = vitestCode !== 0 && report.numFailedTests === 0;
  if (unexplained) failed++;
  summary.push(
    `${vitestCode === 0 ? '✓' : '✗'} tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`,
  );
} catch {
  failed++;
  summary.push('✗ tests: vitest produced no report');
}

const build = gates[3];
if (build && !testsOnly) {
  process.stdout.write(`\n▶ ${build.name}\n`);
  const ok = (await runBin(build.bin, build.args)) === 0;
  summary.push(`${ok ? '✓' : '✗'} ${build.name}`);
  if (ok) passed++;
  else failed++;
}

process.stdout.write(`\n${summary.join('\n')}\n\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
