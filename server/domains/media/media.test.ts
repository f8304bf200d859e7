import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { buildTestApp } from '../../test/app.ts';
import { setupTestDatabase } from '../../test/db.ts';
import { eventually } from '../../test/eventually.ts';
import { call, type OutputOf } from '../../test/http-client.ts';
import { createSimulator } from '../../whatsapp/simulator/simulator.ts';
import type { InboundMessage } from '../../whatsapp/simulator/inbound.ts';
import { withTenant } from '../../db/tx.ts';
import { runAbandonedUploadCleanup, runMediaRetention } from './retention.ts';
import { deleteContactMedia } from './service.ts';
import { chromiumVoiceNote, uploadViaHttp, type StoredUpload } from '../../test/media.ts';

/**
 * Media both ways over real HTTP: the simulator's customer sends every media type, Parley's
 * media.fetch job downloads each before the URL expires and stores it in PostgreSQL, and GET /media/:id
 * serves the same bytes (Range, ETag, disposition); a second workspace never reaches them.
 */
const db = setupTestDatabase();
const appSecret = 'media-app-secret-0123456789';
const phoneNumberId = '420000000000001';
let simulator: ReturnType<typeof createSimulator>;
let app: FastifyInstance;
let owner: SignedUp;
let stranger: SignedUp;
let parleyUrl = '';

type Message = OutputOf<'message.list'>[number];

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const get = (url: string, cookie = owner.token, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers: { cookie: `parley_session=${cookie}`, ...headers } });

beforeAll(async () => {
  simulator = createSimulator({ seed: 19, statusDelaysMs: { sent: 5, delivered: 10, read: 20 } });
  const graphUrl = await simulator.listen();
  app = await buildTestApp(db.url, { workers: true, env: { GRAPH_API_BASE_URL: graphUrl } });
  parleyUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  owner = await signUpViaHttp(app, { workspaceName: 'Camera Shop' });
  stranger = await signUpViaHttp(app, { workspaceName: 'Other Shop' });
  const connected = await call(
    app,
    'mutation',
    'channel.connect',
    {
      name: 'Main number',
      metaAppId: '900000000000001',
      appSecret,
      verifyToken: 'media-verify-token',
      wabaId: '310000000000001',
      accessToken: simulator.accessToken,
    },
    { cookie: owner.token },
  );
  expect(connected.status, JSON.stringify(connected.error)).toBe(200);
  const [channel] = (await call(app, 'query', 'channel.list', undefined, { cookie: owner.token })).data;
  simulator.setWebhookTarget({
    url: `${parleyUrl}${new URL(channel?.webhookUrl ?? '').pathname}`,
    appSecret,
  });
});
afterAll(async () => {
  await app.close();
  await simulator.close();
});

async function messageByWamid(
  wamid: string,
  done: (m: Message) => boolean = (m) => m.media?.status !== 'pending',
) {
  return eventually(async () => {
    const list = await call(app, 'query', 'conversation.list', {}, { cookie: owner.token });
    for (const conversation of list.data) {
      const page = await call(
        app,
        'query',
        'message.list',
        { conversationId: conversation.id },
        { cookie: owner.token },
      );
      const found = page.data.find((m) => m.wamid === wamid);
      if (found && done(found)) return found;
    }
    return undefined;
  }, `message ${wamid}`);
}

async function sampleImage(width = 1200, height = 800) {
  return sharp({ create: { width, height, channels: 3, background: '#2a6fdb' } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

describe('inbound media', () => {
  it('fetches every media type, stores it, and serves the same bytes with the right headers', async () => {
    const image = await sampleImage();
    const sticker = await sharp({ create: { width: 512, height: 512, channels: 4, background: '#ffaa00aa' } })
      .webp()
      .toBuffer();
    const samples: { message: InboundMessage; bytes: Buffer; mime: string; disposition: RegExp }[] = [
      {
        message: {
          type: 'image',
          image: { bytes: image, mime_type: 'image/jpeg', caption: 'Is this one in stock?' },
        },
        bytes: image,
        mime: 'image/jpeg',
        disposition: /^inline; filename="image\.jpg"$/,
      },
      {
        message: { type: 'video', video: { bytes: Buffer.alloc(300_000, 7), mime_type: 'video/mp4' } },
        bytes: Buffer.alloc(300_000, 7),
        mime: 'video/mp4',
        disposition: /^inline; filename="video\.mp4"$/,
      },
      {
        message: {
          type: 'audio',
          audio: { bytes: Buffer.from('OggS voice note'), mime_type: 'audio/ogg; codecs=opus', voice: true },
        },
        bytes: Buffer.from('OggS voice note'),
        mime: 'audio/ogg; codecs=opus',
        disposition: /^inline; filename="audio\.ogg"$/,
      },
      {
        message: {
          type: 'document',
          document: {
            bytes: Buffer.from('%PDF-1.7 invoice'),
            mime_type: 'application/pdf',
            filename: '../../etc/Faktura "März".pdf',
          },
        },
        bytes: Buffer.from('%PDF-1.7 invoice'),
        mime: 'application/pdf',
        disposition: /^attachment; filename="Faktura M_rz\.pdf"; filename\*=UTF-8''Faktura%20M%C3%A4rz\.pdf$/,
      },
      {
        message: { type: 'sticker', sticker: { bytes: sticker, mime_type: 'image/webp', animated: false } },
        bytes: sticker,
        mime: 'image/webp',
        disposition: /^inline; filename="sticker\.webp"$/,
      },
    ];
    for (const sample of samples) {
      const { wamid } = simulator.customerSends(phoneNumberId, '15550123456', sample.message, {
        name: 'Maya',
      });
      const message = await messageByWamid(wamid);
      expect(message.media, sample.message.type).toMatchObject({
        kind: sample.message.type,
        status: 'stored',
        byteSize: sample.bytes.length,
        mimeType: sample.mime,
        voice: sample.message.type === 'audio',
      });
      const served = await get(`/media/${message.media!.id}`);
      expect(served.statusCode).toBe(200);
      expect(sha(served.rawPayload)).toBe(sha(sample.bytes));
      expect(served.headers['content-type']).toBe(sample.mime);
      expect(served.headers['content-disposition']).toMatch(sample.disposition);
      expect(served.headers['x-content-type-options']).toBe('nosniff');
      expect(served.headers['accept-ranges']).toBe('bytes');
      expect(Number(served.headers['content-length'])).toBe(sample.bytes.length);
    }
  });

  it('serves a 320 px WebP thumbnail of an image, and caches by ETag', async () => {
    const image = await sampleImage(1600, 900);
    const { wamid } = simulator.customerSends(phoneNumberId, '15550123456', {
      type: 'image',
      image: { bytes: image, mime_type: 'image/jpeg' },
    });
    const message = await messageByWamid(wamid);
    expect(message.media).toMatchObject({ status: 'stored', hasThumbnail: true });
    // Open threads learn of it through the realtime bus (no polling for the placeholder).
    const announced = await db.pools.owner.oneFirst(sql.type(z.object({ n: z.coerce.number() }))`
      select count(*) as n from app_private.realtime_events
      where kind = 'message.media' and ${message.id} = any(entity_ids)
    `);
    expect(announced).toBe(1);
    const thumbnail = await get(`/media/${message.media!.id}/thumbnail`);
    expect(thumbnail.statusCode).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/webp');
    const meta = await sharp(thumbnail.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 320, height: 180 });
    expect(thumbnail.rawPayload.length).toBeLessThan(image.length / 5);

    const full = await get(`/media/${message.media!.id}`);
    const etag = String(full.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const again = await get(`/media/${message.media!.id}`, owner.token, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    const thumbAgain = await get(`/media/${message.media!.id}/thumbnail`, owner.token, {
      'if-none-match': String(thumbnail.headers.etag),
    });
    expect(thumbAgain.statusCode).toBe(304);
  });

  it('answers Range requests (206 across chunk boundaries, 416 past the end) for seeking', async () => {
    // 700 KB spans three 256 KB chunks: ranges that cross a boundary must come out exact.
    const bytes = Buffer.alloc(700_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) % 251;
    const { wamid } = simulator.customerSends(phoneNumberId, '15550123456', {
      type: 'audio',
      audio: { bytes, mime_type: 'audio/mpeg' },
    });
    const { media } = await messageByWamid(wamid);
    const url = `/media/${media!.id}`;
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=262100-262200', 262100, 262200],
      ['bytes=524000-', 524000, bytes.length - 1],
      ['bytes=-1000', bytes.length - 1000, bytes.length - 1],
      ['bytes=699990-800000', 699990, bytes.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const part = await get(url, owner.token, { range });
      expect(part.statusCode, range).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes ${start}-${end}/${bytes.length}`);
      expect(part.rawPayload.equals(bytes.subarray(start, end + 1)), range).toBe(true);
    }
    const past = await get(url, owner.token, { range: `bytes=${bytes.length}-` });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${bytes.length}`);
    // A stale If-Range gets the whole (changed) file instead of a piece of it.
    const stale = await get(url, owner.token, { range: 'bytes=0-9', 'if-range': '"old"' });
    expect(stale.statusCode).toBe(200);
    expect(stale.rawPayload.length).toBe(bytes.length);
  });

  it('ends an expired media id as unavailable, visibly, without retrying forever', async () => {
    const wamid = 'wamid.HBgLMTU1NTAxMjM0NTYVAgASGBQzRUIwRXBpcmVkTWVkaWExOQA=';
    await simulator.sendWebhook('310000000000001', {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '310000000000001',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550001111', phone_number_id: phoneNumberId },
                contacts: [{ profile: { name: 'Maya' }, wa_id: '15550123456' }],
                messages: [
                  {
                    from: '15550123456',
                    id: wamid,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'image',
                    image: { id: '1999999999999999', mime_type: 'image/jpeg', sha256: 'AAAA' },
                  },
                ],
              },
            },
          ],
        },
      ],
    }).settled;
    const message = await messageByWamid(wamid);
    expect(message.media).toMatchObject({
      status: 'unavailable',
      unavailableReason: expect.stringMatching(/no longer has this media/),
    });
    const served = await get(`/media/${message.media!.id}`);
    expect(served.statusCode).toBe(410);
    expect(served.json()).toMatchObject({ message: expect.stringMatching(/unavailable/) });
  });
});

describe('media access', () => {
  it('needs a session, stays inside its workspace, and resolves no paths', async () => {
    const image = await sampleImage(200, 200);
    const { wamid } = simulator.customerSends(phoneNumberId, '15550123456', {
      type: 'image',
      image: { bytes: image, mime_type: 'image/jpeg' },
    });
    const { media } = await messageByWamid(wamid);
    const url = `/media/${media!.id}`;
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await get(url, stranger.token)).statusCode).toBe(404);
    expect((await get(`${url}/thumbnail`, stranger.token)).statusCode).toBe(404);
    for (const probe of ['/media/..%2F..%2Fetc%2Fpasswd', '/media/%2e%2e/package.json', '/media/1 or 1=1']) {
      const answer = await get(probe);
      expect(answer.statusCode, probe).toBe(404);
      expect(answer.body).not.toMatch(/root:|"name"/);
    }
    const counted = await db.pools.owner.oneFirst(sql.type(z.object({ n: z.coerce.number() }))`
      select count(*) as n from app_public.media_chunks where media_id = ${media!.id}
    `);
    expect(counted).toBe(1);
  });
});

describe('outbound media', () => {
  async function conversationId() {
    const list = await call(app, 'query', 'conversation.list', {}, { cookie: owner.token });
    return list.data.find((c) => c.contact.waId === '15550123456')!.id;
  }

  it('uploads every type, sends it by Meta media id with its caption, and the customer gets the same bytes', async () => {
    simulator.customerSends(phoneNumberId, '15550123456', {
      type: 'text',
      text: { body: 'Send me the files' },
    });
    await eventually(async () => (await conversationId()) || undefined, 'the conversation');
    const image = await sampleImage(640, 480);
    const sticker = await sharp({ create: { width: 512, height: 512, channels: 4, background: '#00aa55' } })
      .webp()
      .toBuffer();
    const files = [
      { bytes: image, mimeType: 'image/jpeg', filename: 'jacket.jpg', caption: 'The blue one' },
      { bytes: Buffer.alloc(200_000, 3), mimeType: 'video/mp4', filename: 'fit.mp4', caption: 'How it fits' },
      // Recorded in Chromium: WebM Opus, stored and sent as the Ogg Opus of a WhatsApp voice message.
      { bytes: chromiumVoiceNote(), mimeType: 'audio/webm;codecs=opus', filename: 'voice.webm', voice: true },
      {
        // 3 MB: streamed into twelve 256 KB chunks, and from them to Graph.
        bytes: Buffer.alloc(3 * 1024 * 1024, 9),
        mimeType: 'application/pdf',
        filename: 'catalogue.pdf',
      },
      {
        bytes: Buffer.from('%PDF-1.7 receipt'),
        mimeType: 'application/pdf',
        filename: 'Kvitto №7.pdf',
        caption: 'Your receipt',
      },
      { bytes: sticker, mimeType: 'image/webp', filename: 'thanks.webp' },
    ];
    const conversation = await conversationId();
    for (const file of files) {
      const uploaded = await uploadViaHttp(app, { cookie: owner.token }, file, {
        voice: file.voice ?? false,
      });
      expect(uploaded.statusCode, uploaded.body).toBe(201);
      const upload = uploaded.json<StoredUpload>();
      const stored = (await get(`/media/${upload.id}`)).rawPayload;
      if (file.voice) {
        expect(upload).toMatchObject({ kind: 'audio', mimeType: 'audio/ogg; codecs=opus', voice: true });
        expect(upload.durationMs).toBeGreaterThan(1300);
        expect(upload.durationMs).toBeLessThan(1800);
        expect(stored.subarray(0, 4).toString('latin1')).toBe('OggS');
        expect(stored.includes('OpusHead', 0, 'latin1')).toBe(true);
      } else {
        expect(upload).toMatchObject({ byteSize: file.bytes.length, voice: false });
        expect(sha(stored)).toBe(sha(file.bytes));
      }
      const sent = await call(
        app,
        'mutation',
        'media.send',
        {
          conversationId: conversation,
          mediaId: upload.id,
          ...(file.caption ? { caption: file.caption } : {}),
        },
        { cookie: owner.token },
      );
      expect(sent.status, JSON.stringify(sent.error)).toBe(200);
      // The one outbox path of every send: answered "queued", its message.send job keyed by the message.
      expect(sent.data.status).toBe('queued');
      const job = await db.pools.owner.maybeOne(sql.type(z.object({ name: z.string() }))`
        select name from pgboss.job where singleton_key = ${sent.data.id} limit 1
      `);
      expect(job?.name).toBe('message.send');
      const record = await eventually(
        async () =>
          simulator
            .outboundMessages()
            .find(
              (m) =>
                m.type === upload.kind &&
                (m.body as unknown as Record<string, { id?: string }>)[upload.kind]?.id &&
                !seen.has(m.wamid),
            ),
        `the ${upload.kind} at the simulator`,
      );
      seen.add(record.wamid);
      const body = (
        record.body as unknown as Record<
          string,
          { id: string; caption?: string; filename?: string; voice?: boolean }
        >
      )[upload.kind]!;
      expect(body.caption).toBe(file.caption);
      // Meta's voice message: `audio.voice` with an Ogg Opus file.
      expect(body.voice).toBe(file.voice);
      if (upload.kind === 'document') expect(body.filename).toBe(file.filename);
      const received = simulator.media(body.id)!;
      expect(sha(received.bytes)).toBe(sha(stored));
      expect(received.mimeType.split(';')[0]).toBe(upload.mimeType.split(';')[0]);
    }
  });
  const seen = new Set<string>();

  it('refuses a type WhatsApp does not take, a file over its limit, and viewers', async () => {
    const gif = await uploadViaHttp(
      app,
      { cookie: owner.token },
      {
        bytes: Buffer.from('GIF89a'),
        mimeType: 'image/gif',
        filename: 'funny.gif',
      },
    );
    expect(gif.statusCode).toBe(415);
    expect(gif.json()).toMatchObject({
      message: expect.stringMatching(/WhatsApp does not accept image\/gif/),
    });
    const big = await uploadViaHttp(
      app,
      { cookie: owner.token },
      {
        bytes: Buffer.alloc(5 * 1024 * 1024 + 1),
        mimeType: 'image/png',
        filename: 'huge.png',
      },
    );
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ message: "This image is larger than WhatsApp's 5 MB limit." });
    const video = await uploadViaHttp(
      app,
      { cookie: owner.token },
      { bytes: Buffer.alloc(16 * 1024 * 1024 + 1), mimeType: 'video/mp4', filename: 'long.mp4' },
    );
    expect(video.statusCode).toBe(413);
    expect(video.json()).toMatchObject({ message: "This video is larger than WhatsApp's 16 MB limit." });
    // Without a Content-Length (chunked), the stream itself is measured and cut off past the limit.
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(6 * 1024 * 1024)], { type: 'image/jpeg' }), 'chunked.jpg');
    const encoded = new Request('http://localhost/media', { method: 'POST', body: form });
    const bytes = Buffer.from(await encoded.arrayBuffer());
    const chunked = await fetch(`${parleyUrl}/media`, {
      method: 'POST',
      headers: {
        'content-type': encoded.headers.get('content-type') ?? '',
        cookie: `parley_session=${owner.token}`,
        origin: parleyUrl,
      },
      body: new ReadableStream({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 65536) controller.enqueue(bytes.subarray(at, at + 65536));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toMatchObject({
      message: "This image is larger than WhatsApp's 5 MB limit.",
    });
    const notVoice = await uploadViaHttp(
      app,
      { cookie: owner.token },
      { bytes: Buffer.from('not a recording'), mimeType: 'audio/webm', filename: 'x.webm' },
      { voice: true },
    );
    expect(notVoice.statusCode).toBe(415);
    const webmAudio = await uploadViaHttp(
      app,
      { cookie: owner.token },
      { bytes: chromiumVoiceNote(), mimeType: 'audio/webm', filename: 'song.webm' },
    );
    // Outside a voice note WhatsApp takes no WebM.
    expect(webmAudio.statusCode).toBe(415);
    const sticker = await uploadViaHttp(
      app,
      { cookie: owner.token },
      {
        bytes: Buffer.alloc(150 * 1024),
        mimeType: 'image/webp',
        filename: 'big-sticker.webp',
      },
    );
    expect(sticker.statusCode).toBe(413);
    expect(sticker.json()).toMatchObject({ message: 'A static sticker may be at most 100 KB.' });
    // The sticker's declared length is within 500 KB: it was cut off while streaming, once past
    // 100 KB without an animation. What streamed in before is gone, not left half-stored.
    const leftovers = await db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from app_public.media where direction = 'outbound' and status = 'pending'
    `);
    expect(leftovers).toBe(0);
    const anonymous = await app.inject({
      method: 'POST',
      url: '/media',
      headers: { origin: 'http://localhost', host: 'localhost' },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('retention, erase and the storage cap', () => {
  const usage = async () =>
    (await call(app, 'query', 'media.usage', undefined, { cookie: owner.token })).data;

  it('deletes media past the workspace retention, and a contact’s media on request, keeping the rows visible', async () => {
    expect((await usage()).retentionDays).toBeNull();
    const image = await sampleImage(300, 300);
    const { wamid } = simulator.customerSends(phoneNumberId, '15550123456', {
      type: 'image',
      image: { bytes: image, mime_type: 'image/jpeg' },
    });
    const { media } = await messageByWamid(wamid);
    const before = await usage();
    const set = await call(app, 'mutation', 'media.setRetention', { days: 30 }, { cookie: owner.token });
    expect(set.status).toBe(200);
    expect((await usage()).retentionDays).toBe(30);
    // created_at is kept immutable by a trigger: age the row with triggers off, as time would.
    await db.pools.owner.transaction(async (tx) => {
      await tx.query(sql.unsafe`set local session_replication_role = replica`);
      await tx.query(sql.unsafe`
        update app_public.media set created_at = now() - interval '31 days' where id = ${media!.id}
      `);
    });
    const deleted = await runMediaRetention(app.services);
    expect(deleted.get(owner.tenantId)).toBe(1);
    const after = await messageByWamid(wamid);
    expect(after.media).toMatchObject({
      status: 'unavailable',
      unavailableReason: expect.stringMatching(/after 30 days/),
    });
    expect((await usage()).usedBytes).toBe(before.usedBytes - image.length);
    expect((await get(`/media/${media!.id}`)).statusCode).toBe(410);

    // A customer's erase request: every file of their conversations goes at once.
    const contactId = await db.pools.owner.oneFirst(sql.type(z.object({ id: z.string() }))`
      select id from app_public.contacts where wa_id = '15550123456' and tenant_id = ${owner.tenantId}
    `);
    const erased = await withTenant(app.services.pools.app, owner.tenantId, (tx) =>
      deleteContactMedia(tx, contactId),
    );
    expect(erased).toBeGreaterThan(5);
    const left = await db.pools.owner.oneFirst(sql.type(z.object({ n: z.coerce.number() }))`
      select count(*) as n from app_public.media_chunks c join app_public.media d on d.id = c.media_id
      join app_public.messages m on m.id = d.message_id
      where d.tenant_id = ${owner.tenantId}
    `);
    expect(left).toBe(0);
    expect((await usage()).usedBytes).toBe(0);
  });

  it('deletes uploads no message will use: pending after a day (a crash mid-upload), unsent after a week', async () => {
    const upload = async (name: string) => {
      const response = await uploadViaHttp(
        app,
        { cookie: owner.token },
        { bytes: await sampleImage(64, 64), mimeType: 'image/png', filename: name },
      );
      expect(response.statusCode).toBe(201);
      return response.json<StoredUpload>().id;
    };
    const [fresh, unsent, stuck] = [await upload('a.png'), await upload('b.png'), await upload('c.png')];
    const before = (await usage()).usedBytes;
    // created_at is kept immutable by a trigger: age the rows with triggers off, as time would; one
    // is left pending, as a crash mid-stream leaves it.
    await db.pools.owner.transaction(async (tx) => {
      await tx.query(sql.unsafe`set local session_replication_role = replica`);
      await tx.query(sql.unsafe`
        update app_public.media set created_at = now() - interval '8 days' where id = ${unsent}
      `);
      await tx.query(sql.unsafe`
        update app_public.media set created_at = now() - interval '25 hours', status = 'pending', stored_at = null
        where id = ${stuck}
      `);
    });
    const afterAging = (await usage()).usedBytes;
    expect(await runAbandonedUploadCleanup(app.services)).toBe(2);
    const left = await db.pools.owner.anyFirst(sql.type(z.object({ id: z.string() }))`
      select id from app_public.media where id = any(${sql.array([fresh, unsent, stuck], 'uuid')})
    `);
    expect(left).toEqual([fresh]);
    const chunks = await db.pools.owner.oneFirst(sql.type(z.object({ n: z.coerce.number() }))`
      select count(*) as n from app_public.media_chunks where media_id = any(${sql.array([unsent, stuck], 'uuid')})
    `);
    expect(chunks).toBe(0);
    // The unsent upload no longer counts against the plan (the pending one never did).
    expect((await usage()).usedBytes).toBeLessThan(afterAging);
    expect(afterAging).toBeLessThanOrEqual(before);
    expect(await runAbandonedUploadCleanup(app.services)).toBe(0);
  });

  it('stops storing once the plan’s media storage is used up, with a clear reason', async () => {
    await db.pools.owner.query(sql.unsafe`update app_private.plans set media_storage_bytes = 1000`);
    const refused = await uploadViaHttp(
      app,
      { cookie: owner.token },
      {
        bytes: Buffer.alloc(2000, 1),
        mimeType: 'application/pdf',
        filename: 'big.pdf',
      },
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ message: expect.stringMatching(/media storage is full/) });
    const { wamid } = simulator.customerSends(phoneNumberId, '15550123456', {
      type: 'document',
      document: { bytes: Buffer.alloc(5000, 2), mime_type: 'application/pdf', filename: 'scan.pdf' },
    });
    const message = await messageByWamid(wamid);
    expect(message.media).toMatchObject({
      status: 'unavailable',
      unavailableReason: expect.stringMatching(/storage is full/),
    });
  });
});
