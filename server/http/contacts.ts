import multipart from '@fastify/multipart';
import { stringify } from 'csv-stringify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import type { AppServices } from '../app-services.ts';
import { withTenant, type Tx } from '../db/tx.ts';
import { previewBytes, previewOf } from '../domains/contacts/import/preview.ts';
import { isCsvError } from '../domains/contacts/import/run.ts';
import {
  appendImportChunk,
  createImport,
  finishUpload,
  importErrors,
  importHeaders,
} from '../domains/contacts/import/queries.ts';
import { exportHeader, exportRows } from '../domains/contacts/export.ts';
import { attributeDefinitions } from '../domains/contacts/queries.ts';
import { contactFilterSchema, type ContactFilter } from '../domains/contacts/schemas.ts';
import { caller } from './media.ts';

/** Largest CSV accepted (about two million rows of a typical export). */
const maxImportBytes = 200 * 1024 * 1024;
const chunkSize = 256 * 1024;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const problem = (reply: FastifyReply, statusCode: number, error: string, message: string) =>
  reply.code(statusCode).send({ statusCode, error, message });

const csvDownload = (reply: FastifyReply, filename: string) =>
  reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff');

/**
 * Contacts over HTTP, for what is a file rather than a procedure: POST /api/contacts/imports takes a
 * CSV upload (multipart field `file`, streamed into the database in chunks) and answers with its
 * preview; GET /api/contacts/imports/:id/errors.csv the rows that failed, with why; GET
 * /api/contacts/export.csv the contacts (optionally filtered, `?filter=<json>`) in the columns an
 * import reads back. Every route needs a member (or an API key) and works under the caller's tenant.
 */
/** A file the CSV parser refuses (a quote never closed…): the user's to fix, a 400. */
class UnreadableCsv extends Error {}

export async function contactRoutes(app: FastifyInstance, { services }: { services: AppServices }) {
  await app.register(multipart, { limits: { files: 1, fields: 2, fileSize: maxImportBytes } });
  const inTenant =
    (tenantId: string, userId: string | null = null) =>
    <T>(fn: (tx: Tx) => Promise<T>) =>
      withTenant(services.pools.app, tenantId, fn, { userId });

  app.post('/api/contacts/imports', async (request, reply) => {
    const who = await caller(services, request, reply);
    if (!who) return reply;
    if (who.role === 'viewer') return problem(reply, 403, 'Forbidden', 'Viewers cannot import contacts.');
    if (!request.isMultipart())
      return problem(
        reply,
        415,
        'Unsupported Media Type',
        'Upload the CSV as multipart/form-data (field "file").',
      );
    const file = await request.file();
    if (!file) return problem(reply, 400, 'Bad Request', 'Choose a CSV file to upload.');
    const filename = (file.filename || 'contacts.csv').slice(0, 255);
    let stored;
    try {
      stored = await inTenant(
        who.tenantId,
        who.userId,
      )(async (tx) => {
        const { id } = await tx.one(createImport(filename, who.userId));
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        let seq = 0;
        let size = 0;
        let head = Buffer.alloc(0);
        const flush = async (all: boolean) => {
          let buffer = Buffer.concat(pending);
          while (buffer.length >= chunkSize || (all && buffer.length > 0)) {
            await tx.query(appendImportChunk(id, seq++, buffer.subarray(0, chunkSize)));
            buffer = buffer.subarray(chunkSize);
          }
          pending = buffer.length ? [buffer] : [];
          pendingBytes = buffer.length;
        };
        for await (const data of file.file) {
          const bytes = data as Buffer;
          size += bytes.length;
          if (head.length < previewBytes)
            head = Buffer.concat([head, bytes.subarray(0, previewBytes - head.length)]);
          pending.push(bytes);
          pendingBytes += bytes.length;
          if (pendingBytes >= chunkSize) await flush(false);
        }
        if (file.file.truncated) return { tooLarge: true as const };
        await flush(true);
        if (size === 0) return { empty: true as const };
        const attributes = [...(await tx.any(attributeDefinitions()))];
        let preview;
        try {
          preview = previewOf(head, attributes);
        } catch (error) {
          // Thrown, so the transaction rolls back: no half-stored upload is left behind.
          if (isCsvError(error)) throw new UnreadableCsv((error as Error).message);
          throw error;
        }
        if (preview.headers.length === 0) return { empty: true as const };
        await tx.query(finishUpload(id, size, preview.headers, preview.delimiter));
        return { id, filename, byteSize: size, ...preview };
      });
    } catch (error) {
      if (!(error instanceof UnreadableCsv)) throw error;
      return problem(
        reply,
        400,
        'Bad Request',
        `The file cannot be read as CSV (${error.message}). Fix it and upload it again.`,
      );
    }
    if ('tooLarge' in stored)
      return problem(reply, 413, 'Payload Too Large', 'CSV files are at most 200 MB; split the file.');
    if ('empty' in stored) return problem(reply, 400, 'Bad Request', 'The file is empty.');
    return reply.code(201).send(stored);
  });

  app.get('/api/contacts/imports/:id/errors.csv', async (request, reply) => {
    const who = await caller(services, request, reply);
    if (!who) return reply;
    const { id } = request.params as { id: string };
    const found = uuidPattern.test(id)
      ? await inTenant(who.tenantId)((tx) => tx.maybeOne(importHeaders(id)))
      : null;
    if (!found) return problem(reply, 404, 'Not Found', 'No such import in this workspace.');
    async function* rows() {
      yield ['row', 'error', ...found!.headers];
      for (let after = 0; ;) {
        const page = await inTenant(who!.tenantId)((tx) => tx.any(importErrors(id, after, 2000)));
        for (const e of page) yield [String(e.rowNumber), e.message, ...e.raw];
        if (page.length < 2000) return;
        after = page.at(-1)!.rowNumber;
      }
    }
    csvDownload(reply, 'import-errors.csv');
    return reply.send(Readable.from(rows()).pipe(stringify({ bom: true })));
  });

  app.get('/api/contacts/export.csv', async (request, reply) => {
    const who = await caller(services, request, reply);
    if (!who) return reply;
    const raw = (request.query as { filter?: string }).filter;
    let filter: ContactFilter;
    try {
      filter = contactFilterSchema.parse(raw ? JSON.parse(raw) : {});
    } catch {
      return problem(reply, 400, 'Bad Request', 'The filter is not valid; export without one or change it.');
    }
    const tenant = inTenant(who.tenantId);
    const definitions = [...(await tenant((tx) => tx.any(attributeDefinitions())))];
    csvDownload(reply, 'contacts.csv');
    return reply.send(
      Readable.from(exportRows(tenant, filter, definitions)).pipe(
        stringify({ bom: true, header: true, columns: exportHeader(definitions) }),
      ),
    );
  });
}
