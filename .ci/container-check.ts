// What .ci/container-test.sh asks of a running container, over real HTTP from the host as a browser and
// Meta would: `first` signs up, connects a channel to the Cloud API simulator (run here, reachable from
// the container), lets the simulator deliver a signed webhook and waits to read the message through the
// API; `again` (after a restart) signs in and finds it. Exit code 0 = passed; one line says what failed.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createSimulator } from '../server/whatsapp/simulator/simulator.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    state: { type: 'string' },
    'simulator-port': { type: 'string' },
    'simulator-host': { type: 'string', default: '0.0.0.0' },
    'admin-url': { type: 'string' },
    database: { type: 'string' },
  },
});
const [phase] = positionals;
const baseUrl = values.url ?? 'http://127.0.0.1:3000';
const text = 'Hello from the container test';

interface State {
  email: string;
  password: string;
}

async function trpc<T>(
  kind: 'query' | 'mutation',
  path: string,
  input: unknown,
  cookie?: string,
): Promise<{ data: T; cookie: string | undefined }> {
  // The Origin a browser on the published port sends: the origin check must accept it.
  const headers: Record<string, string> = { origin: baseUrl };
  if (cookie) headers.cookie = `parley_session=${cookie}`;
  const response =
    kind === 'query'
      ? await fetch(`${baseUrl}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input ?? null))}`, {
          headers,
        })
      : await fetch(`${baseUrl}/trpc/${path}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(input ?? null),
        });
  const body = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  if (!response.ok || !body.result) {
    throw new Error(`${path} answered ${response.status}: ${body.error?.message ?? JSON.stringify(body)}`);
  }
  const session = response.headers
    .getSetCookie()
    .find((line) => line.startsWith('parley_session='))
    ?.match(/^parley_session=([^;]*)/)?.[1];
  return { data: body.result.data, cookie: session };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

interface Conversation {
  id: string;
  lastMessagePreview?: string | null;
}

/** The customer's message, read back through the API (conversation list, then the thread). */
async function findMessage(cookie: string): Promise<string | undefined> {
  const conversations = (await trpc<Conversation[]>('query', 'conversation.list', {}, cookie)).data;
  for (const conversation of conversations) {
    const messages = (
      await trpc<{ items?: { body?: string | null }[] } | { body?: string | null }[]>(
        'query',
        'message.list',
        { conversationId: conversation.id },
        cookie,
      )
    ).data;
    const rows = Array.isArray(messages) ? messages : (messages.items ?? []);
    if (JSON.stringify(rows).includes(text)) return conversation.id;
  }
  return undefined;
}

async function first(): Promise<void> {
  const simulator = createSimulator({ seed: 23 });
  await simulator.listen({
    port: Number(values['simulator-port'] ?? 4412),
    host: values['simulator-host'] ?? '0.0.0.0',
  });
  try {
    await eventually(
      '/readyz',
      async () => ((await fetch(`${baseUrl}/readyz`)).ok ? true : undefined),
      120_000,
    );
    const state: State = {
      email: `container-${Date.now()}@example.test`,
      password: 'a long enough password',
    };
    const signedUp = await trpc('mutation', 'auth.signUp', {
      ...state,
      displayName: 'Container Test',
      workspaceName: 'Container shop',
    });
    const cookie = signedUp.cookie;
    if (!cookie) throw new Error('sign-up set no session cookie');
    const appSecret = 'container-app-secret-0123456789';
    await trpc(
      'mutation',
      'channel.connect',
      {
        name: 'Main account',
        metaAppId: '900000000000001',
        appSecret,
        verifyToken: 'container-verify-token',
        wabaId: '310000000000001',
        accessToken: simulator.accessToken,
      },
      cookie,
    );
    const [channel] = (await trpc<{ webhookUrl: string }[]>('query', 'channel.list', undefined, cookie)).data;
    if (!channel) throw new Error('channel.list is empty after channel.connect');
    // The simulator signs each delivery with the channel's app secret (X-Hub-Signature-256).
    simulator.setWebhookTarget({ url: `${baseUrl}${new URL(channel.webhookUrl).pathname}`, appSecret });
    simulator.customerSends('420000000000001', '15550123456', { type: 'text', text: { body: text } });
    await eventually('the webhook message through the API', () => findMessage(cookie));
    await writeFile(values.state ?? '/tmp/parley-container-state.json', JSON.stringify(state));
  } finally {
    await simulator.close();
  }
}

async function again(): Promise<void> {
  const state = JSON.parse(
    await readFile(values.state ?? '/tmp/parley-container-state.json', 'utf8'),
  ) as State;
  await eventually(
    '/readyz',
    async () => ((await fetch(`${baseUrl}/readyz`)).ok ? true : undefined),
    120_000,
  );
  const { cookie } = await trpc('mutation', 'auth.logIn', state);
  if (!cookie) throw new Error('sign-in set no session cookie');
  if (!(await findMessage(cookie))) throw new Error('the message received before the restart is gone');
}

/** A fresh database on the host's PostgreSQL for the DATABASE_URL run (dropped first: reruns start clean). */
async function freshDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: values['admin-url'] });
  await client.connect();
  try {
    const name = values.database ?? 'parley_container_test';
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

try {
  if (phase === 'first') await first();
  else if (phase === 'again') await again();
  else if (phase === 'fresh-database') await freshDatabase();
  else throw new Error(`unknown phase ${String(phase)}`);
} catch (error) {
  process.stderr.write(`container check (${String(phase)}): ${(error as Error).message}\n`);
  process.exit(1);
}
