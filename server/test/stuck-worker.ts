// A worker node for recovery tests: works `queue` with Parley's settings, prints "started <job id>"
// when it takes a job, and never finishes it (the test kills this process with SIGKILL).
import { createLogger } from '../logger.ts';
import { ensureQueues, registerWorker, startBoss } from '../jobs/boss.ts';
import { queueSettings } from '../jobs/queues.ts';

const [databaseUrl, queue] = process.argv.slice(2);
if (!databaseUrl || !queue) throw new Error('usage: stuck-worker.ts <database url> <queue>');
const boss = await startBoss(databaseUrl, createLogger('silent'), { supervise: true });
await ensureQueues(boss, { [queue]: queueSettings['webhook.process'] });
await registerWorker(boss, queue, async (job) => {
  process.stdout.write(`started ${job.id}\n`);
  await new Promise(() => undefined);
});
process.stdout.write('ready\n');
