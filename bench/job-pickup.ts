// Idle-queue pickup latency: how long from a job's insert until an idle worker starts it.
// DESIGN target: < 100 ms (LISTEN/NOTIFY wake-up, not polling). Run: npm run bench -- job-pickup
import { ensureQueues, registerWorker, startBoss } from '../server/jobs/boss.ts';
import { createLogger } from '../server/logger.ts';
import { benchDatabase } from './database.ts';
import { percentile, report } from './report.ts';

const samples = Number(process.env.BENCH_SAMPLES ?? 200);
const logger = createLogger('warn');

const database = await benchDatabase(logger);

try {
  const boss = await startBoss(database.url, logger, { supervise: true });
  await ensureQueues(boss, { 'bench.pickup': { notify: true, retryLimit: 0 } });
  let resolveStarted: (() => void) | undefined;
  await registerWorker(boss, 'bench.pickup', async () => resolveStarted?.());
  await new Promise((resolve) => setTimeout(resolve, 500));

  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = new Promise<void>((resolve) => (resolveStarted = resolve));
    const sentAt = performance.now();
    await boss.send('bench.pickup', { i });
    await started;
    latencies.push(performance.now() - sentAt);
    await new Promise((resolve) => setTimeout(resolve, 20)); // let the worker go idle again
  }
  await boss.stop({ graceful: true });

  report('job-pickup', {
    samples,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    max_ms: Math.max(...latencies),
    target_ms: 100,
  });
} finally {
  await database.close();
}
