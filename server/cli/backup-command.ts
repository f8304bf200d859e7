import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Config } from '../config.ts';
import { EmbeddedPostgresError } from '../db/embedded-postgres-access.ts';
import { backupEmbedded, restoreEmbedded } from './backup.ts';

/** `backup <file|->` and `restore <file|->`; the exit code. Messages go to stderr: stdout may be the backup. */
export async function runBackupCommand(
  command: 'backup' | 'restore',
  file: string | undefined,
  config: Config,
): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (!file) {
    say(`Usage: node server/main.ts ${command} <file.tar.gz | ->`);
    return 2;
  }
  if (config.databaseUrl) {
    say(
      `DATABASE_URL is set: ${command} covers the embedded database only. Use pg_dump -Fc / pg_restore for your PostgreSQL (README, "Backups").`,
    );
    return 2;
  }
  try {
    if (command === 'backup') {
      const output = file === '-' ? process.stdout : createWriteStream(`${file}.partial`, { mode: 0o600 });
      const { online } = await backupEmbedded(config.dataDir, output);
      if (output !== process.stdout) {
        output.end();
        await finished(output);
        await fs.rename(`${file}.partial`, file);
      }
      say(
        `Backup of ${config.dataDir} written${file === '-' ? '' : ` to ${file}`} (${online ? 'online' : 'Parley stopped'}). The encryption key is not in it: keep PARLEY_ENCRYPTION_KEYS or ${config.dataDir}/encryption-keys apart.`,
      );
    } else {
      await restoreEmbedded(config.dataDir, file === '-' ? process.stdin : createReadStream(file));
      say(`Restored into ${config.dataDir}; start Parley with the same encryption key as the backup's.`);
    }
    return 0;
  } catch (error) {
    if (file !== '-' && command === 'backup') await fs.rm(`${file}.partial`, { force: true });
    say(
      error instanceof EmbeddedPostgresError
        ? error.message
        : `${command} failed: ${(error as Error).message}`,
    );
    return 1;
  }
}
