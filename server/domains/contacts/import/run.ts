import { Readable } from 'node:stream';
import { sql } from 'slonik';
import { z } from 'zod';
import type { DatabasePool } from 'slonik';
import { withTenant, type Tx } from '../../../db/tx.ts';
import { attributeValue } from '../attributes.ts';
import { normalisePhone } from '../phone.ts';
import { attributeDefinitions, contactSettings } from '../queries.ts';
import type { AttributeDefinition, AttributeValue } from '../schemas.ts';
import { csvParser, splitTags } from './csv.ts';
import { failImport, importChunks, importPlan, reportProgress } from './queries.ts';

/** Rows per staging insert: few round trips, bounded statements. */
const batchRows = 5000;
const progressEveryMs = 500;
const email = /^[^@\s]+@[^@\s]+$/;
const no = new Set(['', 'no', 'n', 'false', '0', 'nein', 'não', 'nao']);

type InTenant = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** The uploaded file's bytes, a few chunks per short transaction of its own (committed data). */
async function* fileBytes(inTenant: InTenant, importId: string): AsyncGenerator<Buffer> {
  for (let first = 0; ; first += 8) {
    const chunks = await inTenant((tx) => tx.any(importChunks(importId, first, first + 7)));
    for (const chunk of chunks) yield chunk.data;
    if (chunks.length < 8) return;
  }
}

interface Batch {
  rowNumbers: number[];
  waIds: string[];
  countries: (string | null)[];
  names: (string | null)[];
  emails: (string | null)[];
  notes: (string | null)[];
  tags: string[];
  attributes: string[];
  optIn: boolean[];
  optOut: boolean[];
}
const emptyBatch = (): Batch => ({
  rowNumbers: [],
  waIds: [],
  countries: [],
  names: [],
  emails: [],
  notes: [],
  tags: [],
  attributes: [],
  optIn: [],
  optOut: [],
});

interface RowError {
  rowNumber: number;
  message: string;
  raw: string[];
}

/** One CSV record → the contact it describes, or what is wrong with it (first problem). */
function readRow(
  cells: string[],
  columns: (string | null)[],
  definitions: Map<string, AttributeDefinition>,
  defaultCountry: string | null,
  extraTags: string[],
):
  | { error: string }
  | {
      waId: string;
      country: string | null;
      name: string | null;
      email: string | null;
      notes: string | null;
      tags: string[];
      attributes: Record<string, AttributeValue>;
      optIn: boolean;
      optOut: boolean;
    } {
  let phone: ReturnType<typeof normalisePhone> = { error: 'The row has no phone number.' };
  let name: string | null = null;
  let mail: string | null = null;
  let notes: string | null = null;
  let tags = extraTags;
  let optIn = false;
  let optOut = false;
  const attributes: Record<string, AttributeValue> = {};
  for (let i = 0; i < columns.length; i++) {
    const target = columns[i];
    const cell = cells[i] ?? '';
    if (!target) continue;
    if (target === 'phone') phone = normalisePhone(cell, defaultCountry);
    else if (target === 'name') {
      if (cell.length > 120) return { error: 'The name is longer than 120 characters.' };
      name = cell || null;
    } else if (target === 'email') {
      if (cell && (!email.test(cell) || cell.length > 320))
        return { error: `"${cell}" is not an email address.` };
      mail = cell || null;
    } else if (target === 'notes') {
      if (cell.length > 10000) return { error: 'The notes are longer than 10,000 characters.' };
      notes = cell || null;
    } else if (target === 'tags') tags = [...new Set([...tags, ...splitTags(cell)])];
    else if (target === 'optIn') optIn = !no.has(cell.toLowerCase());
    else if (target === 'optOut') optOut = !no.has(cell.toLowerCase());
    else if (target.startsWith('attr:')) {
      const definition = definitions.get(target.slice(5));
      if (!definition) continue;
      const value = attributeValue(definition, cell);
      if ('error' in value) return value;
      if (value.value !== undefined) attributes[definition.key] = value.value;
    }
  }
  if ('error' in phone) return phone;
  return { ...phone, name, email: mail, notes, tags, attributes, optIn, optOut };
}

const stageBatch = (b: Batch) => sql.unsafe`
  insert into pg_temp.import_rows (row_number, wa_id, country, name, email, notes, tags, attributes, opt_in, opt_out)
  select r.n, r.wa, r.country, r.name, r.email, r.notes,
         case when r.tags = '' then '{}'::text[] else string_to_array(r.tags, E'\\x1f') end,
         r.attributes::jsonb, r.opt_in, r.opt_out
  from unnest(${sql.array(b.rowNumbers, 'int4')}, ${sql.array(b.waIds, 'text')}, ${sql.array(b.countries, 'text')},
              ${sql.array(b.names, 'text')}, ${sql.array(b.emails, 'text')}, ${sql.array(b.notes, 'text')},
              ${sql.array(b.tags, 'text')}, ${sql.array(b.attributes, 'text')}, ${sql.array(b.optIn, 'bool')},
              ${sql.array(b.optOut, 'bool')})
    as r(n, wa, country, name, email, notes, tags, attributes, opt_in, opt_out)`;

const storeErrors = (importId: string, errors: RowError[]) => sql.unsafe`
  insert into app_public.contact_import_errors (tenant_id, import_id, row_number, message, raw)
  select app_public.current_tenant_id(), ${importId}, e.n, e.message, e.raw::jsonb
  from unnest(${sql.array(
    errors.map((e) => e.rowNumber),
    'int4',
  )}, ${sql.array(
    errors.map((e) => e.message),
    'text',
  )},
              ${sql.array(
                errors.map((e) => JSON.stringify(e.raw)),
                'text',
              )}) as e(n, message, raw)`;

const count = z.object({ count: z.number() });

/**
 * Applies the staged rows in a few set-based statements: a number seen again later in the file is
 * skipped (and listed with the errors); existing contacts are updated or skipped as the user chose;
 * the rest are inserted.
 */
async function applyStaged(tx: Tx, importId: string, existing: 'update' | 'skip') {
  await tx.query(sql.unsafe`create index on pg_temp.import_rows (wa_id)`);
  await tx.query(sql.unsafe`analyze pg_temp.import_rows`);
  const duplicates = await tx.one(sql.type(count)`
    with d as (
      delete from pg_temp.import_rows r
      using (select row_number, first_value(row_number) over (partition by wa_id order by row_number) as first
             from pg_temp.import_rows) f
      where r.row_number = f.row_number and f.first <> f.row_number
      returning r.row_number, r.wa_id, f.first
    ), logged as (
      insert into app_public.contact_import_errors (tenant_id, import_id, row_number, message, raw)
      select app_public.current_tenant_id(), ${importId}, d.row_number,
             'Skipped: +' || d.wa_id || ' is already on row ' || d.first || '.', '[]'::jsonb
      from d
      returning 1
    )
    select count(*)::int as count from logged`);
  const existingRows =
    existing === 'update'
      ? await tx.one(sql.type(count)`
          with u as (
            update app_public.contacts k
            set name = coalesce(s.name, k.name), email = coalesce(s.email, k.email), notes = coalesce(s.notes, k.notes),
                country = coalesce(k.country, s.country),
                tags = case when cardinality(s.tags) = 0 then k.tags
                            else array(select distinct t from unnest(k.tags || s.tags) t order by t) end,
                attributes = k.attributes || s.attributes,
                opted_in_at = case when s.opt_in and k.opted_in_at is null then now() else k.opted_in_at end,
                opt_in_source = case when s.opt_in and k.opted_in_at is null then 'import' else k.opt_in_source end,
                opted_out_at = case when s.opt_out and k.opted_out_at is null then now() else k.opted_out_at end,
                opt_out_source = case when s.opt_out and k.opted_out_at is null then 'import' else k.opt_out_source end
            from pg_temp.import_rows s
            where k.wa_id = s.wa_id
            returning 1
          )
          select count(*)::int as count from u`)
      : await tx.one(sql.type(count)`
          select count(*)::int as count from pg_temp.import_rows s join app_public.contacts k on k.wa_id = s.wa_id`);
  const inserted = await tx.one(sql.type(count)`
    with i as (
      insert into app_public.contacts (tenant_id, wa_id, country, name, email, notes, tags, attributes,
        opted_in_at, opt_in_source, opted_out_at, opt_out_source)
      select app_public.current_tenant_id(), s.wa_id, s.country, s.name, s.email, s.notes, s.tags, s.attributes,
             case when s.opt_in then now() end, case when s.opt_in then 'import' end,
             case when s.opt_out then now() end, case when s.opt_out then 'import' end
      from pg_temp.import_rows s
      where not exists (select 1 from app_public.contacts k where k.wa_id = s.wa_id)
      order by s.row_number
      on conflict do nothing
      returning 1
    )
    select count(*)::int as count from i`);
  return {
    inserted: inserted.count,
    updated: existing === 'update' ? existingRows.count : 0,
    skipped: duplicates.count + (existing === 'skip' ? existingRows.count : 0),
  };
}

/**
 * contact.import: reads the uploaded CSV as a stream (memory stays flat whatever its size), checks
 * and normalises each row, stages the good ones in a temporary table and applies them all in the
 * same transaction, so an import is never half-done: it commits completely or not at all (a crash
 * rolls it back and the job runs again from the start). Progress is reported from short
 * transactions of their own, over realtime, while it runs.
 */
export async function runImport(app: DatabasePool, tenantId: string, importId: string): Promise<void> {
  const inTenant: InTenant = (fn) => withTenant(app, tenantId, fn);
  const plan = await inTenant((tx) => tx.maybeOne(importPlan(importId)));
  if (!plan?.options || !plan.mapping.columns || plan.status === 'completed' || plan.status === 'failed')
    return;
  const columns = plan.mapping.columns;
  const options = plan.options;
  try {
    await inTenant(async (tx) => {
      const settings = await tx.one(contactSettings());
      const definitions = new Map((await tx.any(attributeDefinitions())).map((d) => [d.key, d]));
      await tx.query(sql.unsafe`
        create temp table import_rows (row_number int not null, wa_id text not null, country text, name text,
          email text, notes text, tags text[] not null, attributes jsonb not null, opt_in boolean not null,
          opt_out boolean not null) on commit drop`);
      await tx.query(sql.unsafe`delete from app_public.contact_import_errors where import_id = ${importId}`);
      let batch = emptyBatch();
      let errors: RowError[] = [];
      let rowNumber = 0;
      let failed = 0;
      let reportedAt = Date.now();
      const flush = async () => {
        if (batch.rowNumbers.length) await tx.query(stageBatch(batch));
        if (errors.length) await tx.query(storeErrors(importId, errors));
        failed += errors.length;
        batch = emptyBatch();
        errors = [];
      };
      await inTenant((t) => t.query(reportProgress(importId, 'running', 0)));
      const parser = Readable.from(fileBytes(inTenant, importId)).pipe(csvParser(plan.mapping.delimiter));
      let header = true;
      for await (const parsed of parser as AsyncIterable<string[]>) {
        // PostgreSQL text cannot hold NUL: one in a cell would crash the job on every retry.
        const record = parsed.map((cell) => cell.replaceAll('\u0000', ''));
        if (header) {
          header = false;
          continue;
        }
        rowNumber++;
        const row = readRow(record, columns, definitions, settings.defaultCountry, options.tags);
        if ('error' in row) errors.push({ rowNumber, message: row.error, raw: record });
        else {
          batch.rowNumbers.push(rowNumber);
          batch.waIds.push(row.waId);
          batch.countries.push(row.country);
          batch.names.push(row.name);
          batch.emails.push(row.email);
          batch.notes.push(row.notes);
          batch.tags.push(row.tags.join('\x1f'));
          batch.attributes.push(JSON.stringify(row.attributes));
          batch.optIn.push(row.optIn);
          batch.optOut.push(row.optOut);
        }
        if (batch.rowNumbers.length + errors.length >= batchRows) {
          await flush();
          if (Date.now() - reportedAt > progressEveryMs) {
            reportedAt = Date.now();
            await inTenant((t) => t.query(reportProgress(importId, 'running', rowNumber)));
          }
        }
      }
      await flush();
      if (rowNumber === 0) throw new ImportRefused('The file has a header but no rows.');
      const applied = await applyStaged(tx, importId, options.existing);
      await tx.query(sql.unsafe`
        with done as (
          update app_public.contact_imports
          set status = 'completed', total_rows = ${rowNumber}, processed_rows = ${rowNumber},
              inserted_rows = ${applied.inserted}, updated_rows = ${applied.updated},
              skipped_rows = ${applied.skipped}, failed_rows = ${failed}, finished_at = now(), error = null
          where id = ${importId}
          returning id
        ), chunks as (
          delete from app_public.contact_import_chunks where import_id = ${importId}
        )
        select app_public.record_realtime_event('contact.import', array[${importId}::uuid]) from done`);
    });
  } catch (error) {
    if (!(error instanceof ImportRefused) && !isCsvError(error)) throw error; // a crash: pg-boss retries
    await inTenant((tx) => tx.query(failImport(importId, describe(error))));
  }
}

/** A file that can never import (the user must fix it); not worth a retry. */
export class ImportRefused extends Error {}

/** An error of the CSV parser (its codes start with CSV_): the file's fault, not Parley's. */
export const isCsvError = (error: unknown) =>
  typeof (error as { code?: unknown }).code === 'string' &&
  (error as { code: string }).code.startsWith('CSV_');

function describe(error: unknown): string {
  if (error instanceof ImportRefused) return error.message;
  const e = error as { message?: string; lines?: number };
  return `The file is not a CSV Parley can read${e.lines ? ` (line ${e.lines})` : ''}: ${e.message ?? 'unknown problem'}.`;
}

/** After the last retry (contact.import.dead): the import failed as a whole, nothing was imported. */
export async function giveUpImport(app: DatabasePool, tenantId: string, importId: string) {
  await withTenant(app, tenantId, (tx) =>
    tx.query(failImport(importId, 'The import stopped unexpectedly; nothing was imported. Try again.')),
  );
}
