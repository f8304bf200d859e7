// CSV contact import (issue 21): a 100,000-row Excel-style CSV (BOM, semicolons, CRLF, national and
// international numbers of several countries, tags, a typed attribute, 1 % bad rows, 1 % repeated
// numbers) imported by the contact.import job's code (domains/contacts/import/run.ts) in one
// transaction; rows/s and the process's peak RSS. Goal: < 60 s, memory flat.
import { sql } from 'slonik';
import { createPools } from '../server/db/pools.ts';
import { withTenant } from '../server/db/tx.ts';
import { runImport } from '../server/domains/contacts/import/run.ts';
import {
  appendImportChunk,
  finishUpload,
  importById,
  queueImport,
} from '../server/domains/contacts/import/queries.ts';
import { createLogger } from '../server/logger.ts';
import { createTenant } from '../server/test/factories.ts';
import { benchDatabase } from './database.ts';
import { report } from './report.ts';

const rows = Number(process.env.BENCH_CONTACT_ROWS ?? 100_000);
const database = await benchDatabase(createLogger('warn'));
const pools = await createPools(database.url, 4);
try {
  const tenant = await createTenant(pools.owner);
  const inTenant = <T>(fn: Parameters<typeof withTenant<T>>[2]) => withTenant(pools.app, tenant.id, fn);
  await inTenant((tx) => tx.query(sql.unsafe`select app_public.set_contact_settings('BR', '{STOP}')`));
  await inTenant((tx) =>
    tx.query(sql.unsafe`insert into app_public.contact_attributes (tenant_id, key, label, type)
      values (${tenant.id}, 'spend', 'Spend', 'number')`),
  );
  const { id } = (await inTenant((tx) =>
    tx.one(
      sql.unsafe`insert into app_public.contact_imports (tenant_id, filename) values (${tenant.id}, 'bench.csv') returning id`,
    ),
  )) as { id: string };
  // The file, generated and stored in 256 KB chunks as an upload stores it.
  const line = (i: number) => {
    if (i % 100 === 7) return `not-a-number-${i};Bad ${i};;x;1\r\n`;
    const n = i % 100 === 11 ? i - 1 : i; // a repeated number
    const phone =
      n % 3 === 0
        ? `(11) 9${String(10000000 + n).slice(-8)}`
        : n % 3 === 1
          ? `+49 151 ${String(10000000 + n)}`
          : `+1 415 ${String(2000000 + (n % 7000000)).padStart(7, '0')}`;
    return `${phone};Contact ${i};c${i}@example.test;"vip, wave-${i % 10}";${(i % 500) / 4}\r\n`;
  };
  let bytes = 0;
  let seq = 0;
  let pending = '\uFEFFphone;name;email;tags;spend\r\n';
  const flush = async (all: boolean) => {
    let buffer = Buffer.from(pending, 'utf8');
    while (buffer.length >= 256 * 1024 || (all && buffer.length)) {
      const chunk = buffer.subarray(0, 256 * 1024);
      await inTenant((tx) => tx.query(appendImportChunk(id, seq++, chunk)));
      bytes += chunk.length;
      buffer = buffer.subarray(256 * 1024);
    }
    pending = buffer.toString('utf8');
  };
  for (let i = 1; i <= rows; i++) {
    pending += line(i);
    if (pending.length > 300 * 1024) await flush(false);
  }
  await flush(true);
  await inTenant(async (tx) => {
    await tx.query(finishUpload(id, bytes, ['phone', 'name', 'email', 'tags', 'spend'], ';'));
    await tx.query(
      queueImport(id, ['phone', 'name', 'email', 'tags', 'attr:spend'], { existing: 'update', tags: [] }),
    );
  });
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  await runImport(pools.app, tenant.id, id);
  const seconds = (performance.now() - started) / 1000;
  const result = await inTenant((tx) => tx.one(importById(id)));
  report('contacts-import', {
    rows,
    megabytes: Math.round(bytes / 1e5) / 10,
    status: result.status,
    inserted: result.insertedRows,
    skipped: result.skippedRows,
    failed: result.failedRows,
    seconds: Math.round(seconds * 10) / 10,
    rowsPerSecond: Math.round(rows / seconds),
    rssBeforeMb: Math.round(rssBefore / 1e6),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1e3),
  });
} finally {
  await pools.end();
  await database.close();
}
