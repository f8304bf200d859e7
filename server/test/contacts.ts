import type { FastifyInstance } from 'fastify';
import type { SignedUp } from './accounts.ts';
import { eventually } from './eventually.ts';
import { call } from './http-client.ts';

/** What a CSV upload answers: the import and its preview. */
export interface UploadAnswer {
  id: string;
  delimiter: string;
  headers: string[];
  rows: string[][];
  suggested: (string | null)[];
}

/** POST /api/contacts/imports as the browser does (multipart, same origin). */
export async function uploadCsv(
  app: FastifyInstance,
  who: SignedUp,
  csv: string | Buffer,
  filename = 'c.csv',
) {
  const form = new FormData();
  form.set(
    'file',
    new Blob([typeof csv === 'string' ? csv : new Uint8Array(csv)], { type: 'text/csv' }),
    filename,
  );
  const request = new Request('http://localhost/api/contacts/imports', { method: 'POST', body: form });
  return app.inject({
    method: 'POST',
    url: '/api/contacts/imports',
    headers: {
      'content-type': request.headers.get('content-type') ?? '',
      origin: 'http://localhost',
      host: 'localhost',
      cookie: `parley_session=${who.token}`,
    },
    payload: Buffer.from(await request.arrayBuffer()),
  });
}

/** Uploads a CSV, imports it with the suggested mapping and waits for the job; answers its final state. */
export async function importCsv(app: FastifyInstance, who: SignedUp, csv: string) {
  const upload = await uploadCsv(app, who, csv);
  if (upload.statusCode !== 201) throw new Error(`upload answered ${upload.statusCode}: ${upload.body}`);
  const preview = upload.json<UploadAnswer>();
  const cookie = { cookie: who.token };
  const started = await call(
    app,
    'mutation',
    'contactImport.start',
    { id: preview.id, columns: preview.suggested, existing: 'update' },
    cookie,
  );
  if (started.status !== 200) throw new Error(`contactImport.start answered ${started.status}`);
  return eventually(
    async () => {
      const state = await call(app, 'query', 'contactImport.byId', { id: preview.id }, cookie);
      return state.data.status === 'completed' || state.data.status === 'failed' ? state.data : undefined;
    },
    'the import',
    20_000,
  );
}
