import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { signUpViaHttp } from '../test/accounts.ts';
import { setupTestApp } from '../test/app.ts';
import { importCsv, uploadCsv } from '../test/contacts.ts';

/**
 * A file the CSV parser refuses outright is the user's to fix: a 400 that says so, and nothing kept
 * of the upload (found by the reliability suite's CSV fuzzing: it answered 500).
 */
const parley = setupTestApp({ workers: true });

describe('uploading a CSV the parser cannot read', () => {
  it('answers 400 with a sentence and stores nothing', async () => {
    const owner = await signUpViaHttp(parley.app);
    const upload = await uploadCsv(parley.app, owner, '\ufeffphone\tname\r\n"+4915100000001\tEve\r\n');
    expect(upload.statusCode, upload.body).toBe(400);
    expect(upload.json<{ message: string }>().message).toMatch(/cannot be read as CSV/);
    const kept = await parley.db.pools.owner.oneFirst(
      sql.unsafe`select count(*)::int from app_public.contact_imports where tenant_id = ${owner.tenantId}`,
    );
    expect(kept).toBe(0);
  });
});

describe('importing a CSV with NUL characters in its cells', () => {
  it('imports the good rows and flags the bad one, instead of crashing on every retry', async () => {
    const owner = await signUpViaHttp(parley.app);
    const done = await importCsv(parley.app, owner, 'phone,name\n+4915100000001,Eve\u0000\n,bad\u0000row\n');
    expect(done).toMatchObject({ status: 'completed', insertedRows: 1, failedRows: 1 });
  });
});

describe('uploading a CSV with a NUL character in its header', () => {
  it('keeps the upload with the NUL left out of the column names, not a 500', async () => {
    const owner = await signUpViaHttp(parley.app);
    const upload = await uploadCsv(parley.app, owner, 'phone;tags;Mobile\u0000\n+4915100000001;vip;x\n');
    expect(upload.statusCode, upload.body).toBe(201);
    expect(upload.json<{ headers: string[] }>().headers).toEqual(['phone', 'tags', 'Mobile']);
  });
});
