import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nastyString } from '../server/test/arbitrary-input.ts';
import { uploadCsv, type UploadAnswer } from '../server/test/contacts.ts';
import { setupTestDatabase } from '../server/test/db.ts';
import { eventually } from '../server/test/eventually.ts';
import { startSendHarness, type SendHarness } from '../server/test/send-harness.ts';
import { query, recordFigures } from './harness.ts';

/**
 * Promise 5 for files and the template builder: hostile CSV files (quotes left open, NUL, invalid
 * UTF-8, a BOM, ragged rows, formulas, huge cells, random bytes) and hostile template drafts
 * (placeholders half-open, nested, unknown; oversized and malformed headers, buttons and examples)
 * always get a 4xx with a sentence for people, or are stored with what was wrong flagged (an import's
 * failed rows) — never a 5xx, never a crash, never a partial write (a refused import adds no contact,
 * a refused template stores nothing).
 */
const db = setupTestDatabase();
let h: SendHarness;
beforeAll(async () => {
  h = await startSendHarness(db.url);
});
afterAll(async () => {
  await h.close();
});

/** Wording meant for developers: zod's defaults, constraint and index names, stack traces. */
const internals =
  /Too (big|small):|Invalid input: expected|_(key|pkey|fkey|check)\b|SQLSTATE|\bat .+\.ts:\d+/;

const count = async (table: string) =>
  Number(
    (
      await query<{ n: string }>(
        db.url,
        `select count(*) as n from app_public.${table} where tenant_id = $1`,
        [h.owner.tenantId],
      )
    )[0]?.n,
  );

const csvCell = fc.oneof(
  { arbitrary: nastyString, weight: 3 },
  {
    arbitrary: fc.constantFrom('+4915100000001', '+49 151 0000 0002', '015100000003', '+1 (555) 010-0004'),
    weight: 3,
  },
  {
    arbitrary: fc.constantFrom(
      '"',
      '""',
      '"open',
      'a,b',
      'a;b',
      'a\tb',
      'line\nbreak',
      'cr\rlf\r\n',
      '=HYPERLINK("x")',
      '\ufeff',
    ),
    weight: 2,
  },
);
const header = fc.oneof(
  fc.constantFrom('phone', 'Phone', 'name', 'email', 'tags', 'notes', 'opt in', 'Mobile'),
  nastyString,
);
const csvText = fc
  .record({
    headers: fc.array(header, { minLength: 1, maxLength: 6 }),
    rows: fc.array(fc.array(csvCell, { minLength: 0, maxLength: 8 }), { maxLength: 25 }),
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    newline: fc.constantFrom('\n', '\r\n', '\r'),
    quote: fc.boolean(),
  })
  .map(({ headers, rows, delimiter, newline, quote }) => {
    const cell = (value: string) => (quote ? `"${value.replaceAll('"', '""')}"` : value);
    return [headers, ...rows].map((row) => row.map(cell).join(delimiter)).join(newline);
  });
const csvFile: fc.Arbitrary<string | Buffer> = fc.oneof(
  { arbitrary: csvText, weight: 5 },
  {
    arbitrary: csvText.map((text) =>
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(text),
        Buffer.from([0xff, 0xfe, 0x00, 0xc3]),
      ]),
    ),
    weight: 1,
  },
  { arbitrary: fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)), weight: 1 },
);

describe('fuzzed CSV imports', () => {
  it('answer a 4xx, or import with the bad rows flagged, never a 5xx nor a partial write', async () => {
    const outcomes = { refused: 0, imported: 0, failed: 0, flaggedRows: 0, fiveHundreds: 0 };
    await fc.assert(
      fc.asyncProperty(csvFile, async (file) => {
        const contactsBefore = await count('contacts');
        const upload = await uploadCsv(h.app, h.owner, file);
        if (upload.statusCode >= 500) outcomes.fiveHundreds++;
        expect(upload.statusCode, upload.body).toBeLessThan(500);
        if (upload.statusCode !== 201) {
          expect(upload.json<{ message?: string }>().message ?? '').toMatch(/\S/);
          outcomes.refused++;
          return;
        }
        const preview = upload.json<UploadAnswer>();
        const started = await h.as<{ status: string }>('contactImport.start', {
          id: preview.id,
          columns: preview.suggested,
          existing: 'update',
        });
        if (started.status >= 500) outcomes.fiveHundreds++;
        expect(started.status, JSON.stringify(started.error)).toBeLessThan(500);
        if (started.status !== 200) {
          expect(started.error?.message ?? '').toMatch(/\S/);
          expect(started.error?.message ?? '').not.toMatch(internals);
          outcomes.refused++;
          return;
        }
        const done = await eventually(
          async () => {
            const state = await h.as<{
              status: string;
              error: string | null;
              totalRows: number;
              insertedRows: number;
              updatedRows: number;
              skippedRows: number;
              failedRows: number;
            }>('contactImport.byId', { id: preview.id }, 'query');
            return ['completed', 'failed'].includes(state.data.status) ? state.data : undefined;
          },
          'the import to end',
          30_000,
        );
        const added = (await count('contacts')) - contactsBefore;
        if (done.status === 'failed') {
          outcomes.failed++;
          expect(done.error ?? '').toMatch(/\S/);
          expect(added).toBe(0);
          return;
        }
        outcomes.imported++;
        outcomes.flaggedRows += done.failedRows;
        expect(done.insertedRows + done.updatedRows + done.skippedRows + done.failedRows).toBe(
          done.totalRows,
        );
        expect(added).toBe(done.insertedRows);
        const flagged = await query<{ n: string }>(
          db.url,
          'select count(*) as n from app_public.contact_import_errors where import_id = $1',
          [preview.id],
        );
        // The errors file lists every failed row, and also rows skipped as repeats of a number in the file.
        expect(Number(flagged[0]?.n)).toBeGreaterThanOrEqual(done.failedRows);
        expect(Number(flagged[0]?.n)).toBeLessThanOrEqual(done.failedRows + done.skippedRows);
      }),
      { seed: 2026_12_01, numRuns: 30, endOnFailure: true },
    );
    recordFigures('5 fuzzed CSV imports', { files: 30, ...outcomes });
  });
});

const templateText = fc.oneof(
  nastyString,
  fc.constantFrom(
    'Hi {{1}}',
    'Hi {{1}} and {{2}}',
    '{{',
    '}}',
    '{{{1}}}',
    '{{ 1 }}',
    '{{0}}',
    '{{first_name}}',
    '{{1}}{{1}}',
    '{{1}} {{3}}',
    '{{}}',
    '{{1',
    '<script>alert(1)</script>',
  ),
  fc.string({ maxLength: 1_100 }),
);
const button = fc.oneof(
  fc.record({ type: fc.constant('QUICK_REPLY'), text: templateText }),
  fc.record(
    {
      type: fc.constant('URL'),
      text: templateText,
      url: fc.oneof(
        fc.constantFrom('https://shop.example/{{1}}', 'javascript:alert(1)', 'https://'),
        nastyString,
      ),
      example: fc.option(nastyString, { nil: undefined }),
    },
    { requiredKeys: ['type', 'text', 'url'] },
  ),
  fc.record({
    type: fc.constant('PHONE_NUMBER'),
    text: templateText,
    phoneNumber: fc.oneof(fc.constant('+4915100000001'), nastyString),
  }),
  fc.record({ type: fc.constant('COPY_CODE'), example: templateText }),
  fc.record({ type: fc.constantFrom('FLOW', 'UNKNOWN'), text: templateText, flowId: nastyString }),
);
const draft = (channelId: string) =>
  fc.record(
    {
      channelId: fc.oneof(
        { arbitrary: fc.constant(channelId), weight: 9 },
        { arbitrary: nastyString, weight: 1 },
      ),
      name: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/), nastyString),
      language: fc.oneof(fc.constantFrom('en_US', 'de', 'pt_BR'), nastyString),
      category: fc.oneof(fc.constantFrom('MARKETING', 'UTILITY', 'AUTHENTICATION'), nastyString),
      header: fc.oneof(
        fc.constant({ format: 'none' }),
        fc.record(
          {
            format: fc.constant('text'),
            text: templateText,
            example: fc.option(nastyString, { nil: undefined }),
          },
          { requiredKeys: ['format', 'text'] },
        ),
        fc.record({ format: fc.constantFrom('image', 'video', 'document', 'gif'), example: nastyString }),
      ),
      body: templateText,
      examples: fc.dictionary(fc.oneof(fc.constantFrom('1', '2', 'first_name'), nastyString), nastyString, {
        maxKeys: 4,
      }),
      footer: fc.option(templateText, { nil: undefined }),
      buttons: fc.array(button, { maxLength: 12 }),
    },
    { requiredKeys: ['channelId', 'name', 'language', 'category', 'body'] },
  );

describe('fuzzed template drafts', () => {
  it('answer a 4xx with a sentence, or store the template as drafted, never a 5xx', async () => {
    const [channel] = (await h.as<{ id: string }[]>('channel.list', undefined, 'query')).data;
    const outcomes = { refused: 0, stored: 0, fiveHundreds: 0 };
    await fc.assert(
      fc.asyncProperty(draft(channel?.id ?? ''), async (input) => {
        const before = await count('templates');
        const created = await h.as<{ name: string; body?: string }>('template.create', input);
        if (created.status >= 500) outcomes.fiveHundreds++;
        expect(created.status, JSON.stringify(created.error)).toBeLessThan(500);
        const after = await count('templates');
        if (created.status !== 200) {
          outcomes.refused++;
          expect(created.error?.message ?? '').toMatch(/\S/);
          expect(created.error?.message ?? '').not.toMatch(internals);
          expect(after).toBe(before);
          return;
        }
        outcomes.stored++;
        expect(created.data.name).toBe(input.name.trim());
        expect(after).toBeGreaterThanOrEqual(before);
      }),
      { seed: 2026_12_01, numRuns: 100, endOnFailure: true },
    );
    recordFigures('5 fuzzed template drafts', { drafts: 100, ...outcomes });
  });
});
