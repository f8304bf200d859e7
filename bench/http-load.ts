// A small HTTP load generator, run as its own process so it does not share the server's event loop.
// Input (argv[2], JSON): { url, body, headers, concurrency, durationMs, rate? }. Output: one JSON line.
// With `rate` (requests/s over all connections) each connection paces itself: a fixed offered load,
// so CPU per request compares between runs whatever else the machine does.
import http from 'node:http';

interface Options {
  url: string;
  body: string;
  headers: Record<string, string>;
  concurrency: number;
  durationMs: number;
  rate?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
const target = new URL(options.url);
const latencies: number[] = [];
const statuses: Record<string, number> = {};
let errors = 0;
const deadline = performance.now() + options.durationMs;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const started = performance.now();
    const request = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { ...options.headers, 'content-length': Buffer.byteLength(options.body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          latencies.push(performance.now() - started);
          statuses[response.statusCode ?? 0] = (statuses[response.statusCode ?? 0] ?? 0) + 1;
          resolve();
        });
      },
    );
    request.on('error', () => {
      errors++;
      resolve();
    });
    request.end(options.body);
  });
}

await Promise.all(
  Array.from({ length: options.concurrency }, async () => {
    const interval = options.rate ? (1000 * options.concurrency) / options.rate : 0;
    let next = performance.now() + Math.random() * interval;
    while (performance.now() < deadline) {
      if (interval > 0) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        next += interval;
      }
      await once();
    }
  }),
);
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
process.stdout.write(
  `${JSON.stringify({ requests: latencies.length, statuses, errors, p50: at(50), p99: at(99), seconds: options.durationMs / 1000 })}\n`,
);
