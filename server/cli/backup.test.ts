import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { createLogger } from '../logger.ts';
import { signUpViaHttp } from '../test/accounts.ts';
import { buildTestApp } from '../test/app.ts';
import { call } from '../test/http-client.ts';
import { backupEmbedded, restoreEmbedded } from './backup.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function dataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-backup-test-'));
  await fs.chmod(dir, 0o755); // the postgres user reaches it when tests run as root
  cleanup.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function start(dir: string): Promise<EmbeddedPostgres> {
  const server = await startEmbeddedPostgres({ dataDir: dir, databaseName: 'parley' });
  cleanup.push(() => server.stop());
  return server;
}

async function backupTo(dir: string, file: string): Promise<{ online: boolean }> {
  const output = createWriteStream(file);
  const result = await backupEmbedded(dir, output);
  output.end();
  await finished(output);
  return result;
}

describe('backup and restore of the embedded database', () => {
  it('restores an online backup into a fresh data directory, where the account signs in', async () => {
    const original = await dataDir();
    const database = await start(original);
    await migrateDatabase(database.url, createLogger('silent'));
    const app = await buildTestApp(database.url);
    const owner = await signUpViaHttp(app, { workspaceName: 'Backed up shop' });
    await app.close();

    const file = path.join(await dataDir(), 'parley.tar.gz');
    expect(await backupTo(original, file)).toEqual({ online: true });
    const members = (await execTar(file)).split('\n');
    expect(members).toContain('pg/backup_label');
    expect(members).toContain('embedded-postgres.json');
    expect(members.some((member) => member.endsWith('encryption-keys'))).toBe(false);
    await database.stop();

    const fresh = await dataDir();
    await restoreEmbedded(fresh, createReadStream(file));
    const restored = await start(fresh);
    const restoredApp = await buildTestApp(restored.url);
    cleanup.push(() => restoredApp.close());
    const signedIn = await call(restoredApp, 'mutation', 'auth.logIn', {
      email: owner.email,
      password: owner.password,
    });
    expect(signedIn.status, JSON.stringify(signedIn.error)).toBe(200);
    expect(signedIn.sessionCookie).toBeTruthy();
    const me = await call(restoredApp, 'query', 'auth.me', undefined, { cookie: signedIn.sessionCookie });
    expect(me.data?.activeTenantId).toBe(owner.tenantId);

    // A stopped cluster is copied as it is; a directory that holds a database is never overwritten.
    await restored.stop();
    expect(await backupTo(fresh, path.join(path.dirname(file), 'stopped.tar.gz'))).toEqual({ online: false });
    await expect(restoreEmbedded(fresh, createReadStream(file))).rejects.toThrow(/already holds a database/);
  }, 180_000);
});

async function execTar(file: string): Promise<string> {
  const { stdout } = await promisify(execFile)('tar', ['-tzif', file], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
