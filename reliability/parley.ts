// A Parley process for the reliability suite: what `node server/main.ts all` runs (same buildApp, HTTP
// and workers in one process) on an already migrated database, with the send job's waits shortened by
// RELIABILITY_SEND_TIMING (JSON) so a bounded reconciliation ends within the suite's budget. No
// graceful shutdown: the suite ends it with SIGKILL, as a crash would; an uncaught error ends it as
// Node does by default (the suite counts such exits).
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const app = await buildApp({
  config,
  logger,
  databaseUrl: config.databaseUrl ?? '',
  workers: process.env.RELIABILITY_WORKERS !== '0',
  http: true,
});
const timing = process.env.RELIABILITY_SEND_TIMING;
if (timing) {
  const { backoffSeconds, ...rest } = JSON.parse(timing) as Record<string, number>;
  Object.assign(app.services.sendTiming, rest);
  if (backoffSeconds !== undefined) app.services.sendTiming.backoffSeconds = () => backoffSeconds;
}
await app.listen({ host: config.host, port: config.port });
logger.warn({ port: config.port }, 'reliability: Parley is listening');
