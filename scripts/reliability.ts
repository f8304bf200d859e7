// `npm run test:reliability`: Parley's promises under faults (reliability/*.test.ts: kills, database
// outages, Graph failures, fuzzed input, attacks), then two gates over the whole run: no secret in any
// line a Parley process logged, and `npm audit --omit=dev` without a high or critical advisory. Ends
// with the figures each scenario recorded and a single "N passed, N failed" line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot, runBin } from './run-bin.ts';

const outputDir = path.join(projectRoot, 'dist', 'reliability');
const reportFile = path.join(outputDir, 'vitest-report.json');
fs.rmSync(outputDir, { recursive: true, force: true });
fs.mkdirSync(outputDir, { recursive: true });
const started = Date.now();

let passed = 0;
let failed = 0;
const summary: string[] = [];
function gate(name: string, ok: boolean, detail = ''): void {
  summary.push(`${ok ? '✓' : '✗'} ${name}${detail ? `: ${detail}` : ''}`);
  if (ok) passed++;
  else failed++;
}

process.stdout.write('\n▶ reliability scenarios\n');
const vitestCode = await runBin(
  'vitest',
  [
    'run',
    '-c',
    'reliability/vitest.config.ts',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...process.argv.slice(2),
  ],
  { RELIABILITY_OUTPUT: outputDir },
);
try {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
  };
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (vitestCode !== 0 && report.numFailedTests === 0) failed++;
  summary.push(
    `${vitestCode === 0 ? '✓' : '✗'} scenarios: ${report.numPassedTests} passed, ${report.numFailedTests} failed`,
  );
} catch {
  gate('scenarios', false, 'vitest produced no report');
}

// Secrets never in logs: every line every Parley process of the run wrote, against every secret the
// scenarios used (recorded in secrets.txt) and the shapes of tokens and links that carry one.
process.stdout.write('\n▶ secrets in logs\n');
const logDir = path.join(outputDir, 'logs');
const secrets = fs.existsSync(path.join(outputDir, 'secrets.txt'))
  ? [...new Set(fs.readFileSync(path.join(outputDir, 'secrets.txt'), 'utf8').split('\n'))].filter(
      (secret) => secret.length >= 8,
    )
  : [];
const secretShapes = [
  /\/(reset-password|invite|invitation)(\/|\?token=)[A-Za-z0-9_-]{16,}/,
  /parley_session=[A-Za-z0-9_-]{16,}/,
  /\bpk_[A-Za-z0-9_-]{20,}/,
  /hub\.verify_token=(?!\[)/,
  /"(password|accessToken|appSecret|access_token)":"(?!\[)/,
];
let lines = 0;
const leaks: string[] = [];
for (const file of fs.existsSync(logDir) ? fs.readdirSync(logDir) : []) {
  for (const line of fs.readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
    lines++;
    const secret = secrets.find((candidate) => line.includes(candidate));
    const shape = secretShapes.find((pattern) => pattern.test(line));
    if (secret || shape) leaks.push(`${file}: ${(secret ? `[${secret}] ` : '') + line.slice(0, 300)}`);
  }
}
for (const leak of leaks.slice(0, 20)) process.stdout.write(`  ${leak}\n`);
gate(
  'secrets in logs',
  leaks.length === 0 && lines > 0,
  `${lines} lines scanned for ${secrets.length} secrets, ${leaks.length} leaks`,
);
fs.appendFileSync(
  path.join(outputDir, 'figures.jsonl'),
  `${JSON.stringify({ scenario: '6 secrets in logs', 'log lines': lines, secrets: secrets.length, leaks: leaks.length })}\n`,
);

// npm audit of what production installs: no high or critical advisory.
process.stdout.write('\n▶ npm audit --omit=dev\n');
const audit = await new Promise<{ code: number; text: string }>((resolve) => {
  const child = spawn('npm', ['audit', '--omit=dev', '--json'], { cwd: projectRoot });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.on('error', () => resolve({ code: 127, text }));
  child.on('exit', (code) => resolve({ code: code ?? 1, text }));
});
const auditReport = (() => {
  try {
    return JSON.parse(audit.text) as {
      metadata?: { vulnerabilities: Record<string, number> };
      statusCode?: number;
      message?: string;
    };
  } catch {
    return {};
  }
})();
const counts = auditReport.metadata?.vulnerabilities;
if (counts) {
  const serious = (counts.high ?? 0) + (counts.critical ?? 0);
  gate(
    'npm audit --omit=dev',
    serious === 0,
    Object.entries(counts)
      .map(([level, n]) => `${n} ${level}`)
      .join(', '),
  );
  fs.appendFileSync(
    path.join(outputDir, 'figures.jsonl'),
    `${JSON.stringify({ scenario: '7 npm audit --omit=dev', ...counts })}\n`,
  );
} else if (auditReport.statusCode !== undefined) {
  // A registry mirror that serves packages but not the advisory endpoint (HTTP 405 on its POST) cannot
  // answer: said plainly, counted neither way (a registry that answers decides).
  summary.push(
    `- npm audit --omit=dev: NOT CHECKED, the registry answered ${auditReport.statusCode} to the audit request`,
  );
} else {
  gate('npm audit --omit=dev', false, `no report (exit ${audit.code}): ${audit.text.slice(0, 200)}`);
}

// The figures table: one row per scenario, its counts as "name value" pairs.
const figuresFile = path.join(outputDir, 'figures.jsonl');
const rows = fs.existsSync(figuresFile)
  ? fs
      .readFileSync(figuresFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  : [];
const width = Math.max(10, ...rows.map((row) => String(row.scenario).length));
process.stdout.write(`\nFigures (${Math.round((Date.now() - started) / 1000)} s in all)\n`);
for (const row of rows) {
  const { scenario, ...figures } = row;
  const pairs = Object.entries(figures).map(([name, value]) => `${name} ${String(value)}`);
  process.stdout.write(`  ${String(scenario).padEnd(width)}  ${pairs.join(' · ')}\n`);
}
process.stdout.write(`\n${summary.join('\n')}\n\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
