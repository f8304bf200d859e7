import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

// `docker compose config` needs the compose plugin, which Debian's docker.io lacks; this reads the file
// as Compose would (YAML merge keys) and checks what the scale-out example promises.
const root = path.resolve(import.meta.dirname, '..');
const compose = YAML.parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      command?: string[];
      image?: string;
      ports?: string[];
      volumes?: string[];
      environment?: Record<string, string>;
      deploy?: { replicas?: number };
      depends_on?: Record<string, { condition: string }> | string[];
    }
  >;
};

describe('docker-compose.yml (scale-out example)', () => {
  it('runs two serve and two worker replicas after the migrations, on an external PostgreSQL', () => {
    const { migrate, serve, worker } = compose.services;
    expect(migrate?.command).toEqual(['node', 'server/main.ts', 'migrate']);
    expect(serve?.command).toEqual(['node', 'server/main.ts', 'serve']);
    expect(worker?.command).toEqual(['node', 'server/main.ts', 'worker']);
    expect(serve?.deploy?.replicas).toBe(2);
    expect(worker?.deploy?.replicas).toBe(2);
    for (const service of [serve, worker]) {
      expect(service?.depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' } });
      expect(service?.environment?.DATABASE_URL).toMatch(/^\$\{DATABASE_URL:\?/);
      expect(service?.environment?.PARLEY_ENCRYPTION_KEYS).toMatch(/^\$\{PARLEY_ENCRYPTION_KEYS:\?/);
    }
    expect(Object.keys(compose.services)).not.toContain('postgres');
  });

  it('only the proxy is published, and its configuration is in the repository', () => {
    expect(compose.services.serve?.ports).toBeUndefined();
    expect(compose.services.proxy?.ports).toEqual(['${PROXY_PORT:-8080}:80']);
    const mount = compose.services.proxy?.volumes?.[0]?.split(':')[0] ?? '';
    expect(existsSync(path.join(root, mount))).toBe(true);
    expect(readFileSync(path.join(root, mount), 'utf8')).toMatch(/dynamic a serve 3000/);
  });
});
