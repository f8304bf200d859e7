// A worker node for the campaign crash test: Parley's job workers (campaign.run, message.send, …) on
// the test's database, sending to the test's simulator. The test kills it with SIGKILL mid-run.
import { buildTestApp } from './app.ts';

const [databaseUrl, graphUrl] = process.argv.slice(2);
if (!databaseUrl || !graphUrl) throw new Error('usage: campaign-worker.ts <database url> <graph url>');
const app = await buildTestApp(databaseUrl, {
  workers: true,
  http: false,
  env: { GRAPH_API_BASE_URL: graphUrl, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
});
// Lost answers are settled in seconds here (production waits 120 s for status webhooks).
Object.assign(app.services.sendTiming, { claimSeconds: 3, reconcileSeconds: 5 });
await app.ready();
process.stdout.write('ready\n');
