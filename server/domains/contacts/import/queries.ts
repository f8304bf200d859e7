import { sql } from 'slonik';
import { z } from 'zod';

export const importStatus = z.enum(['uploading', 'uploaded', 'queued', 'running', 'completed', 'failed']);

export const importSchema = z.object({
  id: z.string(),
  filename: z.string(),
  byteSize: z.number(),
  status: importStatus,
  totalRows: z.number(),
  processedRows: z.number(),
  insertedRows: z.number(),
  updatedRows: z.number(),
  skippedRows: z.number(),
  failedRows: z.number(),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type ContactImport = z.infer<typeof importSchema>;

const importColumns = sql.fragment`id, filename, byte_size as "byteSize", status, total_rows as "totalRows",
  processed_rows as "processedRows", inserted_rows as "insertedRows", updated_rows as "updatedRows",
  skipped_rows as "skippedRows", failed_rows as "failedRows", error, created_at as "createdAt",
  finished_at as "finishedAt"`;

export const importById = (id: string) =>
  sql.type(importSchema)`select ${importColumns} from app_public.contact_imports where id = ${id}`;

export const createImport = (filename: string, userId: string | null) =>
  sql.type(z.object({ id: z.string() }))`
    insert into app_public.contact_imports (tenant_id, created_by, filename)
    values (app_public.current_tenant_id(), ${userId}, ${filename}) returning id`;

export const appendImportChunk = (importId: string, seq: number, data: Buffer) =>
  sql.unsafe`insert into app_public.contact_import_chunks (tenant_id, import_id, seq, data)
    values (app_public.current_tenant_id(), ${importId}, ${seq}, ${sql.binary(data)})`;

export const finishUpload = (importId: string, byteSize: number, headers: string[], delimiter: string) =>
  sql.unsafe`update app_public.contact_imports
    set status = 'uploaded', byte_size = ${byteSize},
        mapping = jsonb_build_object('headers', ${sql.jsonb(headers)}::jsonb, 'delimiter', ${delimiter}::text)
    where id = ${importId}`;

export const importPlan = (id: string) =>
  sql.type(
    z.object({
      status: importStatus,
      mapping: z.object({
        headers: z.array(z.string()),
        delimiter: z.string(),
        columns: z.array(z.string().nullable()).optional(),
      }),
      options: z.object({ existing: z.enum(['update', 'skip']), tags: z.array(z.string()) }).nullable(),
    }),
  )`select status, mapping, options from app_public.contact_imports where id = ${id}`;

/** Queues an uploaded import with its column mapping and options (only once). */
export const queueImport = (
  id: string,
  columns: (string | null)[],
  options: { existing: 'update' | 'skip'; tags: string[] },
) =>
  sql.type(z.object({ id: z.string() }))`
    update app_public.contact_imports
    set status = 'queued', mapping = mapping || jsonb_build_object('columns', ${sql.jsonb(columns)}::jsonb),
        options = ${sql.jsonb(options)}
    where id = ${id} and status = 'uploaded'
    returning id`;

const chunkRow = z.object({ seq: z.number(), data: z.instanceof(Buffer) });
export const importChunks = (id: string, from: number, to: number) =>
  sql.type(chunkRow)`select seq, data from app_public.contact_import_chunks
    where import_id = ${id} and seq between ${from} and ${to} order by seq`;

export const importErrors = (id: string, afterRow: number, limit: number) =>
  sql.type(z.object({ rowNumber: z.number(), message: z.string(), raw: z.array(z.string()) }))`
    select row_number as "rowNumber", message, raw from app_public.contact_import_errors
    where import_id = ${id} and row_number > ${afterRow} order by row_number limit ${limit}`;

export const importHeaders = (id: string) =>
  sql.type(z.object({ headers: z.array(z.string()) }))`
    select coalesce(mapping -> 'headers', '[]') as headers from app_public.contact_imports where id = ${id}`;

/** Progress, visible to the wizard while the import's own transaction is still open (a separate one). */
export const reportProgress = (id: string, status: 'running', processed: number) =>
  sql.unsafe`with p as (
      update app_public.contact_imports set status = ${status}, processed_rows = ${processed} where id = ${id} returning id
    )
    select app_public.record_realtime_event('contact.import', array[${id}::uuid]) from p`;

export const failImport = (id: string, error: string) =>
  sql.unsafe`with p as (
      update app_public.contact_imports set status = 'failed', error = ${error}, finished_at = now() where id = ${id} returning id
    )
    select app_public.record_realtime_event('contact.import', array[${id}::uuid]) from p`;
