import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { EmbeddedPostgresError, startEmbeddedPostgres } from './db/embedded-postgres.ts';
import { migrateDatabase } from './db/migrate.ts';
import { createPools } from './db/pools.ts';
import { createAdmin, createAdminUsage, parseCreateAdminArgs } from './cli/create-admin.ts';
import { rotateKeys } from './cli/rotate-keys.ts';
import { runBackupCommand } from './cli/backup-command.ts';
import { loadKeyring } from './crypto/keyring.ts';
import { createLogger } from './logger.ts';

const usage = `Usage: node server/main.ts [command]

Commands:
  all      web server and job workers in one process (default); migrates first
  serve    web server only
  worker   job workers only
  migrate  apply migrations and sql/ definitions, then exit
  create-admin --email … [--password …] [--name …]
           create or promote a platform administrator (migrates first)
  rotate-keys
           re-encrypt stored secrets with the first key of PARLEY_ENCRYPTION_KEYS
  backup <file|->
           copy the embedded database (running or stopped) into a .tar.gz file, or to stdout with -
  restore <file|->
           unpack such a backup into PARLEY_DATA_DIR, which must hold no database yet`;

const commands = [
  'all',
  'serve',
  'worker',
  'migrate',
  'create-admin',
  'rotate-keys',
  'backup',
  'restore',
] as const;
type Command = (typeof commands)[number];

function parseCommand(argv: string[]): Command {
  const [command = 'all'] = argv;
  if (command === 'create-admin' && argv.includes('--help')) {
    process.stdout.write(`${createAdminUsage}\n`);
    process.exit(0);
  }
  if (command === '--help' || command === '-h') {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  if (!(commands as readonly string[]).includes(command)) {
    process.stderr.write(`Unknown command "${command}".\n\n${usage}\n`);
    process.exit(2);
  }
  return command as Command;
}

async function main(): Promise<void> {
  const command = parseCommand(process.argv.slice(2));
  let adminArgs: ReturnType<typeof parseCreateAdminArgs> | undefined;
  if (command === 'create-admin') {
    try {
      adminArgs = parseCreateAdminArgs(process.argv.slice(3));
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(2);
    }
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  if (command === 'backup' || command === 'restore') {
    process.exitCode = await runBackupCommand(command, process.argv[3], config);
    return;
  }

  const database = config.databaseUrl
    ? { url: config.databaseUrl, stop: async () => {} }
    : await startEmbeddedPostgres({
        dataDir: config.dataDir,
        databaseName: 'parley',
        onLog: (line) => logger.debug({ component: 'postgres' }, line),
      }).catch((error: unknown) => {
        // A known condition gets one line saying what to do, not a stack trace.
        if (!(error instanceof EmbeddedPostgresError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
      });
  if (!config.databaseUrl) logger.info({ dataDir: config.dataDir }, 'embedded PostgreSQL started');

  if (command === 'migrate' || command === 'all' || command === 'create-admin' || command === 'rotate-keys') {
    try {
      await migrateDatabase(database.url, logger);
    } catch (error) {
      logger.fatal({ err: error }, 'migration failed');
      await database.stop();
      process.exit(1);
    }
    if (command === 'migrate') {
      await database.stop();
      return;
    }
  }

  if (command === 'rotate-keys') {
    const pools = await createPools(database.url, 1);
    try {
      const keyring = loadKeyring(config.encryptionKeys, config.dataDir, () => undefined);
      const { reencrypted } = await rotateKeys(pools.owner, keyring);
      logger.info(
        { reencrypted, activeKeyId: keyring.activeKeyId },
        'secrets re-encrypted with the active key',
      );
    } catch (error) {
      logger.fatal({ err: error }, 'rotate-keys failed; nothing was changed');
      process.exitCode = 1;
    } finally {
      await pools.end();
      await database.stop();
    }
    return;
  }

  if (adminArgs) {
    const pools = await createPools(database.url, 1);
    try {
      const { userId, created } = await createAdmin(pools.owner, adminArgs);
      logger.info(
        { userId, email: adminArgs.email },
        created ? 'platform admin created' : 'account promoted to platform admin',
      );
    } catch (error) {
      logger.fatal({ err: error }, 'create-admin failed');
      process.exitCode = 1;
    } finally {
      await pools.end();
      await database.stop();
    }
    return;
  }

  const app = await buildApp({
    config,
    logger,
    databaseUrl: database.url,
    workers: command !== 'serve',
    http: command !== 'worker',
  });

  closeWithGrace({ delay: config.shutdownTimeoutMs, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an uncaught error');
    else logger.info({ signal }, 'shutting down: draining requests and jobs');
    await app.close();
    await database.stop();
    logger.info('shutdown complete');
  });

  if (command === 'worker') {
    await app.ready();
    logger.info('workers started');
  } else {
    await app.listen({ host: config.host, port: config.port });
    logger.info({ url: config.publicUrl }, 'Parley is running');
  }
}

await main();
