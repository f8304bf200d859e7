import { beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { customerWritesText, setupWebhookTestbed } from '../../test/channels.ts';
import { eventually } from '../../test/eventually.ts';
import { call } from '../../test/http-client.ts';
import { uploadCsv, type UploadAnswer } from '../../test/contacts.ts';

/** The contact book (issue 21): CRUD, typed attributes, consent, merge, privacy, CSV in and out. */
const parley = setupWebhookTestbed({ owner: true });
let owner: SignedUp;
let other: SignedUp;

const as = (who: SignedUp) => ({ cookie: who.token });

const get = (url: string, who: SignedUp) =>
  parley.app.inject({ method: 'GET', url, headers: { cookie: `parley_session=${who.token}` } });

beforeAll(async () => {
  owner = parley.owner;
  other = await signUpViaHttp(parley.app, { workspaceName: 'Book Beta' });
  await call(
    parley.app,
    'mutation',
    'contactSettings.set',
    { defaultCountry: 'DE', optOutKeywords: ['stop', 'Baja', 'PARAR'] },
    as(owner),
  );
  for (const attribute of [
    { key: 'plan', label: 'Plan', type: 'list', options: ['gold', 'silver'] },
    { key: 'spend', label: 'Spend', type: 'number' },
    { key: 'birthday', label: 'Birthday', type: 'date' },
    { key: 'vip', label: 'VIP', type: 'boolean' },
  ])
    expect((await call(parley.app, 'mutation', 'contactAttribute.create', attribute, as(owner))).status).toBe(
      200,
    );
});

describe('contacts', () => {
  it('creates a contact from a national number with the default country, typed attributes and tags', async () => {
    const created = await call(
      parley.app,
      'mutation',
      'contact.create',
      {
        phone: '0151 2345 6789',
        name: 'Lena',
        tags: ['vip', 'vip', 'berlin'],
        attributes: { plan: 'GOLD', spend: 12.5 },
        optInSource: 'web form',
      },
      as(owner),
    );
    expect(created.status).toBe(200);
    expect(created.data).toMatchObject({
      waId: '4915123456789',
      country: 'DE',
      name: 'Lena',
      tags: ['vip', 'berlin'],
      attributes: { plan: 'gold', spend: 12.5 },
      optInSource: 'web form',
    });
    const again = await call(
      parley.app,
      'mutation',
      'contact.create',
      { phone: '+49 151 23456789' },
      as(owner),
    );
    expect(again.status).toBe(409);
    expect(again.error?.message).toContain('already exists');
    const bad = await call(parley.app, 'mutation', 'contact.create', { phone: '12' }, as(owner));
    expect(bad.status).toBe(400);
    expect(bad.error?.message).toContain('not a valid phone number');
  });

  it('validates attribute values against their type and removes a value with null', async () => {
    const lena = (await call(parley.app, 'query', 'contact.list', { filter: { search: 'Lena' } }, as(owner)))
      .data.items[0];
    const wrong = await call(
      parley.app,
      'mutation',
      'contact.update',
      { id: lena?.id, attributes: { spend: 'lots' } },
      as(owner),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.error?.message).toBe('Spend must be a number.');
    const date = await call(
      parley.app,
      'mutation',
      'contact.update',
      { id: lena?.id, attributes: { birthday: '2025-02-30' } },
      as(owner),
    );
    expect(date.error?.message).toBe('Birthday must be a date written YYYY-MM-DD.');
    const unknown = await call(
      parley.app,
      'mutation',
      'contact.update',
      { id: lena?.id, attributes: { shoe: 42 } },
      as(owner),
    );
    expect(unknown.error?.message).toContain('There is no attribute "shoe"');
    const ok = await call(
      parley.app,
      'mutation',
      'contact.update',
      {
        id: lena?.id,
        attributes: { birthday: '1990-04-01', vip: true, spend: null },
        notes: 'Prefers mornings',
        email: 'lena@example.test',
      },
      as(owner),
    );
    expect(ok.data).toMatchObject({
      attributes: { plan: 'gold', birthday: '1990-04-01', vip: true },
      notes: 'Prefers mornings',
    });
    expect(ok.data.attributes).not.toHaveProperty('spend');
  });

  it('lists with keyset pages and filters, and another workspace sees none of it', async () => {
    for (const phone of ['+4915100000001', '+4915100000002', '+4915100000003'])
      await call(parley.app, 'mutation', 'contact.create', { phone, tags: ['page'] }, as(owner));
    const first = await call(
      parley.app,
      'query',
      'contact.list',
      { filter: { tags: { any: ['page'] } }, limit: 2 },
      as(owner),
    );
    expect(first.data.items.map((c) => c.waId)).toEqual(['4915100000003', '4915100000002']);
    const second = await call(
      parley.app,
      'query',
      'contact.list',
      { filter: { tags: { any: ['page'] } }, limit: 2, cursor: first.data.nextCursor },
      as(owner),
    );
    expect(second.data).toMatchObject({ items: [{ waId: '4915100000001' }], nextCursor: null });
    expect(
      (await call(parley.app, 'query', 'contact.count', { filter: { tags: { any: ['page'] } } }, as(owner)))
        .data.count,
    ).toBe(3);
    const theirs = await call(parley.app, 'query', 'contact.list', {}, as(other));
    expect(theirs.data.items).toEqual([]);
    expect((await call(parley.app, 'query', 'contactAttribute.list', undefined, as(other))).data).toEqual([]);
    const id = first.data.items[0]?.id;
    expect((await call(parley.app, 'mutation', 'contact.update', { id, notes: 'x' }, as(other))).status).toBe(
      404,
    );
    expect((await call(parley.app, 'query', 'contact.exportData', { id }, as(other))).status).toBe(404);
    expect((await call(parley.app, 'mutation', 'contact.erase', { id }, as(other))).status).toBe(404);
  });

  it("opts a contact out when they write one of the workspace's keywords, with its source and time", async () => {
    await customerWritesText(parley.app, parley.channel, '5511987650000', 'Hola');
    await customerWritesText(parley.app, parley.channel, '5511987650000', '  baja! ');
    const contact = await eventually(async () => {
      const list = await call(
        parley.app,
        'query',
        'contact.list',
        { filter: { search: '5511987650000', optedOut: true } },
        as(owner),
      );
      return list.data.items[0];
    }, 'the opt-out');
    expect(contact).toMatchObject({ optOutSource: 'keyword: BAJA' });
    const back = await call(
      parley.app,
      'mutation',
      'contact.optIn',
      { id: contact.id, source: 'phone call' },
      as(owner),
    );
    expect(back.data).toMatchObject({ optedOutAt: null, optInSource: 'phone call' });
  });
});

describe('merge, privacy export and erasure', () => {
  it('merges a duplicate into the survivor: conversations and messages move, tags and attributes join', async () => {
    await customerWritesText(parley.app, parley.channel, '4917600000001', 'from the first number');
    await customerWritesText(parley.app, parley.channel, '4917600000002', 'from the second number');
    const [a, b] = await eventually(async () => {
      const items = (
        await call(parley.app, 'query', 'contact.list', { filter: { search: '49176000000' } }, as(owner))
      ).data.items;
      return items.length === 2 ? items : undefined;
    }, 'two contacts');
    await call(
      parley.app,
      'mutation',
      'contact.update',
      { id: b!.id, tags: ['from-b'], attributes: { plan: 'silver' } },
      as(owner),
    );
    const merged = await call(
      parley.app,
      'mutation',
      'contact.merge',
      { survivorId: a!.id, duplicateId: b!.id },
      as(owner),
    );
    expect(merged.status).toBe(200);
    expect(merged.data).toMatchObject({ id: a!.id, tags: ['from-b'], attributes: { plan: 'silver' } });
    expect(merged.data.conversations).toHaveLength(1);
    expect((await call(parley.app, 'query', 'contact.byId', { id: b!.id }, as(owner))).status).toBe(404);
    const messages = await call(
      parley.app,
      'query',
      'message.list',
      { conversationId: merged.data.conversations[0]?.id },
      as(owner),
    );
    expect(JSON.stringify(messages.data)).toContain('from the second number');
    expect(JSON.stringify(messages.data)).toContain('from the first number');
  });

  it('exports everything about a contact as JSON, then erases it with its messages, logged', async () => {
    await customerWritesText(parley.app, parley.channel, '4917700000009', 'please forget me');
    const contact = await eventually(
      async () =>
        (await call(parley.app, 'query', 'contact.list', { filter: { search: '4917700000009' } }, as(owner)))
          .data.items[0],
      'contact',
    );
    const data = await call(parley.app, 'query', 'contact.exportData', { id: contact.id }, as(owner));
    expect(data.status).toBe(200);
    expect(JSON.stringify(data.data)).toContain('please forget me');
    const erased = await call(parley.app, 'mutation', 'contact.erase', { id: contact.id }, as(owner));
    expect(erased.data).toMatchObject({ conversations: 1, messages: 1, media: 0 });
    expect((await call(parley.app, 'query', 'contact.byId', { id: contact.id }, as(owner))).status).toBe(404);
    const search = await call(parley.app, 'query', 'conversation.list', {}, as(owner));
    expect(JSON.stringify(search.data)).not.toContain('please forget me');
  });
});

describe('CSV import and export', () => {
  it('imports an Excel CSV (BOM, semicolons, CRLF) with bad rows, duplicates and existing contacts, all or nothing', async () => {
    const csv =
      '\uFEFFTelefone;Nome;E-mail;Tags;Plan\r\n' +
      '0151 2345 6789;Lena Updated;;newtag;silver\r\n' + // existing (created above): updated
      '+55 11 98765-4321;Bruno;bruno@example.test;"vip, br";gold\r\n' +
      '+1 (415) 555-2671;Sam;;;\r\n' +
      'not a phone;Nobody;;;\r\n' +
      '+55 11 98765 4321;Bruno again;;;\r\n' + // same number as row 2
      '+44 20 7946 0958;Plan typo;;;platinum\r\n';
    const upload = await uploadCsv(parley.app, owner, Buffer.from(csv, 'utf8'));
    expect(upload.statusCode).toBe(201);
    const preview = upload.json<UploadAnswer>();
    expect(preview).toMatchObject({
      delimiter: ';',
      headers: ['Telefone', 'Nome', 'E-mail', 'Tags', 'Plan'],
      suggested: ['phone', 'name', 'email', 'tags', 'attr:plan'],
    });
    expect(preview.rows[1]).toEqual(['+55 11 98765-4321', 'Bruno', 'bruno@example.test', 'vip, br', 'gold']);
    const started = await call(
      parley.app,
      'mutation',
      'contactImport.start',
      { id: preview.id, columns: preview.suggested, existing: 'update', tags: ['import-1'] },
      as(owner),
    );
    expect(started.status).toBe(200);
    const done = await eventually(
      async () => {
        const state = await call(parley.app, 'query', 'contactImport.byId', { id: preview.id }, as(owner));
        return state.data.status === 'completed' || state.data.status === 'failed' ? state.data : undefined;
      },
      'the import',
      20_000,
    );
    expect(done).toMatchObject({
      status: 'completed',
      totalRows: 6,
      insertedRows: 2,
      updatedRows: 1,
      skippedRows: 1,
      failedRows: 2,
    });
    const lena = (
      await call(parley.app, 'query', 'contact.list', { filter: { search: '4915123456789' } }, as(owner))
    ).data.items[0];
    expect(lena).toMatchObject({ name: 'Lena Updated', attributes: { plan: 'silver' } });
    expect(lena?.tags).toEqual(expect.arrayContaining(['vip', 'berlin', 'newtag', 'import-1']));
    const bruno = (
      await call(parley.app, 'query', 'contact.list', { filter: { search: 'Bruno' } }, as(owner))
    ).data.items;
    expect(bruno).toMatchObject([{ waId: '5511987654321', country: 'BR', email: 'bruno@example.test' }]);
    const errors = await get(`/api/contacts/imports/${preview.id}/errors.csv`, owner);
    expect(errors.headers['content-type']).toContain('text/csv');
    const lines = errors.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('row,error,Telefone,Nome,E-mail,Tags,Plan');
    expect(lines[1]).toContain('4,"""not a phone"" is not a phone number."');
    expect(lines[2]).toContain('5,Skipped: +5511987654321 is already on row 2.');
    expect(lines[3]).toContain('6,"Plan must be one of: gold, silver."');
    expect((await get(`/api/contacts/imports/${preview.id}/errors.csv`, other)).statusCode).toBe(404);
  });

  it('skips existing contacts when asked, and refuses a mapping without a phone column', async () => {
    const upload = (
      await uploadCsv(parley.app, owner, 'phone,name\n+5511987654321,Not Bruno\n+4930901820,Berlin Office\n')
    ).json<UploadAnswer>();
    const noPhone = await call(
      parley.app,
      'mutation',
      'contactImport.start',
      { id: upload.id, columns: [null, 'name'], existing: 'skip' },
      as(owner),
    );
    expect(noPhone.status).toBe(400);
    expect(noPhone.error?.message).toBe('Choose exactly one column with the phone numbers.');
    await call(
      parley.app,
      'mutation',
      'contactImport.start',
      { id: upload.id, columns: ['phone', 'name'], existing: 'skip' },
      as(owner),
    );
    const done = await eventually(
      async () => {
        const state = (await call(parley.app, 'query', 'contactImport.byId', { id: upload.id }, as(owner)))
          .data;
        return state.status === 'completed' ? state : undefined;
      },
      'the import',
      20_000,
    );
    expect(done).toMatchObject({ insertedRows: 1, skippedRows: 1, updatedRows: 0 });
    const bruno = (
      await call(parley.app, 'query', 'contact.list', { filter: { search: '5511987654321' } }, as(owner))
    ).data.items[0];
    expect(bruno?.name).toBe('Bruno');
  });

  it('exports the contacts as CSV in the columns an import reads back', async () => {
    const exported = await get(
      `/api/contacts/export.csv?filter=${encodeURIComponent(JSON.stringify({ search: 'Bruno' }))}`,
      owner,
    );
    expect(exported.statusCode).toBe(200);
    const lines = exported.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe(
      'phone,name,email,tags,notes,country,opted_in_at,opt_in_source,opted_out_at,opt_out_source,plan,spend,birthday,vip',
    );
    expect(lines[1]).toMatch(/^\+5511987654321,Bruno,bruno@example.test,"[a-z1, -]+",,BR,/);
    expect(lines[1]).toContain('import-1');
    expect(lines).toHaveLength(2);
    const theirs = await get('/api/contacts/export.csv', other);
    expect(
      theirs.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\n'),
    ).toHaveLength(1);
  });
});

describe('contact.tag (the bulk action of the table)', () => {
  it('adds and removes tags on the chosen contacts only, and never in another workspace', async () => {
    const made = [];
    for (const phone of ['+4915170000001', '+4915170000002', '+4915170000003'])
      made.push(
        (await call(parley.app, 'mutation', 'contact.create', { phone, tags: ['old'] }, as(owner))).data,
      );
    const [first, second, untouched] = made.map((c) => c.id);
    const tagged = await call(
      parley.app,
      'mutation',
      'contact.tag',
      { ids: [first, second], add: ['spring', 'spring'], remove: ['old'] },
      as(owner),
    );
    expect(tagged.data).toEqual({ changed: 2 });
    const tagsOf = async (id: string | undefined) =>
      (await call(parley.app, 'query', 'contact.byId', { id }, as(owner))).data.tags;
    expect(await tagsOf(first)).toEqual(['spring']);
    expect(await tagsOf(second)).toEqual(['spring']);
    expect(await tagsOf(untouched)).toEqual(['old']);
    const elsewhere = await call(
      parley.app,
      'mutation',
      'contact.tag',
      { ids: [untouched], add: ['x'] },
      as(other),
    );
    expect(elsewhere.data).toEqual({ changed: 0 });
    const nothing = await call(parley.app, 'mutation', 'contact.tag', { ids: [first] }, as(owner));
    expect(nothing.status).toBe(400);
    expect(nothing.error?.message).toContain('Choose a tag to add or remove.');
  });
});
