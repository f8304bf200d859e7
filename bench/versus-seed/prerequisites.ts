import { spawnSync } from 'node:child_process';

/** What seed-baseline's run.sh calls, and the Debian package that brings each one. */
const tools: Record<string, string> = {
  wrk: 'wrk',
  psql: 'postgresql-client',
  pgbench: 'postgresql-client',
  'redis-cli': 'redis-tools',
  jq: 'jq',
  curl: 'curl',
  bash: 'bash',
};

const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** A sentence saying what to install, or null when every tool is there. */
export function missingTools(): string | null {
  const missing = Object.keys(tools).filter((tool) => !onPath(tool));
  if (missing.length === 0) return null;
  const packages = [...new Set(missing.map((tool) => tools[tool]))].join(' ');
  return (
    `versus-seed needs ${missing.join(', ')} on PATH: ` +
    `apt-get update && apt-get install -y ${packages} (all it uses: wrk postgresql-client redis-tools jq curl)`
  );
}

/** A sentence saying how to get Redis, or null when it answers PING at `url`. */
export function redisProblem(url: string): string | null {
  const ping = spawnSync('redis-cli', ['-u', url, 'ping'], { encoding: 'utf8', timeout: 5_000 });
  if (ping.stdout?.trim() === 'PONG') return null;
  return (
    `versus-seed: Redis does not answer at ${url} (the baseline's queue). Start one, e.g. ` +
    `apt-get install -y redis-server && redis-server --daemonize yes --save '' --appendonly no, or set REDIS_URL.`
  );
}
