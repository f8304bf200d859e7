// Inbound media: 1 MB images sent by the simulator's customers, fetched (GET /{media-id} + download
// with the bearer token), checked, thumbnailed and stored in PostgreSQL by one worker node, per second;
// p50/p99 from the webhook leaving the simulator to the bytes being stored; and the server side of a
// thread's first paint with 50 image messages: message.list plus the 50 thumbnails over HTTP.
import sharp from 'sharp';
import { sql } from 'slonik';
import { z } from 'zod';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { generateKeySpec } from '../server/crypto/keyring.ts';
import { createLogger } from '../server/logger.ts';
import { call } from '../server/test/http-client.ts';
import { createSimulator } from '../server/whatsapp/simulator/simulator.ts';
import { benchDatabase } from './database.ts';
import { percentile, report } from './report.ts';

/**
 * The thread's first paint in Chromium (the production build, `npx vite build` first): from the
 * navigation's start to the first thumbnail decoded, and to every thumbnail in the viewport decoded
 * (the rest load lazily as the agent scrolls). Null when the client is not built or Chromium is absent.
 */
async function browserFirstPaint(parleyUrl: string, cookie: string, conversationId: string) {
  let chromium;
  try {
    ({ chromium } = await import('@playwright/test'));
  } catch {
    return null;
  }
  const browser = await chromium
    .launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] })
    .catch(() => null);
  if (!browser) return null;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const url = new URL(parleyUrl);
    await context.addCookies([
      {
        name: 'parley_session',
        value: cookie,
        domain: url.hostname,
        path: '/',
        httpOnly: true,
        sameSite: 'Lax',
      },
    ]);
    const page = await context.newPage();
    const response = await page.goto(`${parleyUrl}/inbox/${conversationId}`);
    if (!response?.ok() || !(response.headers()['content-type'] ?? '').includes('text/html')) return null;
    const decoded = (all: boolean) =>
      page.waitForFunction(
        (every) => {
          const images = [...document.querySelectorAll<HTMLImageElement>('[data-testid="media-image"]')];
          const inView = images.filter((img) => {
            const box = img.getBoundingClientRect();
            return box.bottom > 0 && box.top < window.innerHeight;
          });
          const ready = (img: HTMLImageElement) => img.complete && img.naturalWidth > 0;
          if (inView.length === 0) return null;
          if (every ? inView.every(ready) : inView.some(ready))
            return { at: performance.now(), count: inView.length };
          return null;
        },
        all,
        { timeout: 60_000, polling: 'raf' },
      );
    const first = (await (await decoded(false)).jsonValue()) as { at: number; count: number };
    const visible = (await (await decoded(true)).jsonValue()) as { at: number; count: number };
    return {
      firstThumbnailMs: Math.round(first.at),
      visibleThumbnailsMs: Math.round(visible.at),
      visibleThumbnails: visible.count,
    };
  } finally {
    await browser.close();
  }
}

const images = Number(process.env.BENCH_MEDIA ?? 200);
const logger = createLogger('warn');
const database = await benchDatabase(logger);
const phoneNumberId = '420000000000001';
const appSecret = 'bench-media-app-secret';

try {
  // A 1 MB JPEG of noise (incompressible, like a photo), the same bytes for every message.
  const photo = await sharp({
    create: {
      width: 1300,
      height: 1300,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
  const simulator = createSimulator({
    seed: 7,
    webhookConcurrency: 8,
    statusDelaysMs: { sent: 5, delivered: 10, read: 20 },
  });
  const graphUrl = await simulator.listen();
  const app = await buildApp({
    config: loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PARLEY_ENCRYPTION_KEYS: generateKeySpec('bench'),
      GRAPH_API_BASE_URL: graphUrl,
      WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '8',
    }),
    logger,
    databaseUrl: database.url,
    workers: true,
  });
  const parleyUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const signedUp = await call<{ activeTenantId: string }>(app, 'mutation', 'auth.signUp', {
    email: `bench-${Date.now()}@example.test`,
    password: 'a long enough password',
    displayName: 'Bench',
    workspaceName: 'Bench media',
  });
  const cookie = signedUp.sessionCookie ?? '';
  const connected = await call(
    app,
    'mutation',
    'channel.connect',
    {
      name: 'Bench',
      metaAppId: '900000000000001',
      appSecret,
      verifyToken: 'bench-verify',
      wabaId: '310000000000001',
      accessToken: simulator.accessToken,
    },
    { cookie },
  );
  if (connected.status !== 200) throw new Error(`channel.connect: ${JSON.stringify(connected.error)}`);
  const [channel] = (
    await call<{ webhookUrl: string }[]>(app, 'query', 'channel.list', undefined, { cookie })
  ).data;
  simulator.setWebhookTarget({
    url: `${parleyUrl}${new URL(channel?.webhookUrl ?? '').pathname}`,
    appSecret,
  });

  const sentAt = new Map<string, number>();
  const started = Date.now();
  for (let i = 0; i < images; i++) {
    // The first 50 come from one customer: the thread measured below.
    const from = `1555${String(2_000_000 + (i < 50 ? 0 : i % 50)).padStart(7, '0')}`;
    const { wamid } = simulator.customerSends(phoneNumberId, from, {
      type: 'image',
      image: { bytes: photo, mime_type: 'image/jpeg', caption: `photo ${i}` },
    });
    sentAt.set(wamid, Date.now());
  }
  const done = z.object({ wamid: z.string(), storedMs: z.number(), status: z.string() });
  let rows: readonly z.infer<typeof done>[] = [];
  for (;;) {
    rows = await app.services.pools.owner.any(sql.type(done)`
      select m.wamid, (extract(epoch from d.stored_at) * 1000)::float8 as "storedMs", d.status
      from app_public.media d join app_public.messages m on m.id = d.message_id
      where d.status <> 'pending'
    `);
    if (rows.length >= images) break;
    if (Date.now() - started > 600_000)
      throw new Error(`only ${rows.length} of ${images} stored after 10 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const stored = rows.filter((row) => row.status === 'stored');
  const latencies = stored.map((row) => row.storedMs - (sentAt.get(row.wamid) ?? row.storedMs));
  const seconds = (Math.max(...stored.map((row) => row.storedMs)) - started) / 1000;

  // The thread of the first customer: its newest 50 messages (all images) and their thumbnails.
  const conversations = await call<{ id: string; contact: { waId: string } }[]>(
    app,
    'query',
    'conversation.list',
    {},
    { cookie },
  );
  const conversationId = conversations.data.find((c) => c.contact.waId === '15552000000')?.id ?? '';
  const paintStarted = performance.now();
  const page = await call<{ media: { id: string } | null }[]>(
    app,
    'query',
    'message.list',
    { conversationId, limit: 50 },
    { cookie },
  );
  const thumbnails = await Promise.all(
    page.data
      .filter((message) => message.media)
      .map((message) =>
        fetch(`${parleyUrl}/media/${message.media!.id}/thumbnail`, {
          headers: { cookie: `parley_session=${cookie}` },
        }).then(async (response) => (await response.arrayBuffer()).byteLength),
      ),
  );
  const paintMs = performance.now() - paintStarted;
  const browser =
    process.env.BENCH_BROWSER === '0' ? null : await browserFirstPaint(parleyUrl, cookie, conversationId);

  await app.close();
  await simulator.close();
  report('media', {
    images,
    image_bytes: photo.length,
    stored: stored.length,
    seconds: Math.round(seconds * 100) / 100,
    media_fetched_per_s: Math.round((stored.length / seconds) * 10) / 10,
    webhook_to_stored_p50_ms: percentile(latencies, 50),
    webhook_to_stored_p99_ms: percentile(latencies, 99),
    thread_messages: page.data.length,
    thread_thumbnails: thumbnails.length,
    thread_thumbnail_kb_avg: Math.round(
      thumbnails.reduce((a, b) => a + b, 0) / Math.max(thumbnails.length, 1) / 1024,
    ),
    thread_list_and_thumbnails_ms: Math.round(paintMs),
    ...(browser
      ? {
          browser_thread_first_thumbnail_ms: browser.firstThumbnailMs,
          browser_thread_visible_thumbnails_ms: browser.visibleThumbnailsMs,
          browser_thread_visible_thumbnails: browser.visibleThumbnails,
        }
      : {}),
  });
} finally {
  await database.close();
}
