import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixture,
  startWebhookReceiver,
  type WebhookBody,
  type WebhookReceiver,
} from '../../test/whatsapp.ts';
import { createSimulator, defaultAccessToken, type Simulator } from './simulator.ts';

const phoneId = '420000000000001';
const wabaId = '310000000000001';
const appSecret = 'media-templates-secret';
const bearer = { authorization: `Bearer ${defaultAccessToken}` };

function uploadForm(bytes: Uint8Array, mimeType: string, filename = 'file.bin') {
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', mimeType);
  form.set('file', new Blob([new Uint8Array(bytes)], { type: mimeType }), filename);
  return form;
}

describe('media endpoints over real HTTP', () => {
  let clock = Date.UTC(2026, 10, 24, 12, 0, 0);
  let simulator: Simulator;
  let baseUrl: string;

  beforeAll(async () => {
    simulator = createSimulator({ now: () => clock, mediaUrlTtlMs: 60_000 });
    baseUrl = await simulator.listen();
  });
  afterAll(() => simulator.close());

  const upload = (bytes: Uint8Array, mimeType: string, filename?: string) =>
    fetch(`${baseUrl}/v25.0/${phoneId}/media`, {
      method: 'POST',
      headers: bearer,
      body: uploadForm(bytes, mimeType, filename),
    });

  it('uploads, describes and serves media only with the bearer token, until the URL expires', async () => {
    const bytes = Buffer.from('%PDF-1.7 simulated invoice');
    const uploaded = await upload(bytes, 'application/pdf', 'Factura.pdf');
    expect(uploaded.status).toBe(200);
    const { id } = (await uploaded.json()) as { id: string };
    expect(id).toMatch(/^\d{16}$/);

    const described = await fetch(`${baseUrl}/v25.0/${id}`, { headers: bearer });
    const media = (await described.json()) as { url: string };
    expect(media).toEqual({
      messaging_product: 'whatsapp',
      url: expect.stringMatching(new RegExp(`^${baseUrl}/media-download/${id}\\?`)),
      mime_type: 'application/pdf',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      file_size: bytes.length,
      id,
    });
    expect(Object.keys(media)).toEqual(Object.keys(fixture('graph/media-url.json')));

    const withoutToken = await fetch(media.url);
    expect(withoutToken.status).toBe(401);
    const download = await fetch(media.url, { headers: bearer });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

    const tampered = media.url.replace(/hash=[^&]+/, 'hash=AAAAAAAAAAAAAAAAAAAAAA');
    expect((await fetch(tampered, { headers: bearer })).status).toBe(404);
    clock += 60_001;
    expect((await fetch(media.url, { headers: bearer })).status).toBe(404);
  });

  it('rejects oversize and unsupported uploads the way Meta does', async () => {
    const oversize = await upload(new Uint8Array(5 * 1024 * 1024 + 1), 'image/jpeg', 'big.jpg');
    expect(oversize.status).toBe(400);
    expect(await oversize.json()).toMatchObject({ error: { code: 131053, type: 'OAuthException' } });

    const gif = await upload(new Uint8Array(10), 'image/gif', 'a.gif');
    expect(gif.status).toBe(400);
    expect(await gif.json()).toMatchObject({
      error: {
        code: 100,
        error_data: { details: expect.stringContaining("Received file of type 'image/gif'") },
      },
    });

    const staticSticker = Buffer.alloc(200 * 1024);
    staticSticker.write('RIFF', 0, 'latin1');
    expect((await upload(staticSticker, 'image/webp', 's.webp')).status).toBe(400);
    const animated = Buffer.from(staticSticker);
    animated.write('ANIM', 30, 'latin1');
    expect((await upload(animated, 'image/webp', 'a.webp')).status).toBe(200);

    const noProduct = new FormData();
    noProduct.set('file', new Blob([new Uint8Array(4)], { type: 'image/png' }), 'a.png');
    const refused = await fetch(`${baseUrl}/v25.0/${phoneId}/media`, {
      method: 'POST',
      headers: bearer,
      body: noProduct,
    });
    expect(refused.status).toBe(400);
  });

  it('stores customer media so the business can fetch it by the webhook’s id', async () => {
    const bytes = Buffer.from('OggS voice note');
    const { body } = simulator.customerSends(phoneId, '15550123456', {
      type: 'audio',
      audio: { bytes, mime_type: 'audio/ogg; codecs=opus', voice: true },
    });
    const [message] = body.entry[0]!.changes[0]!.value.messages as {
      audio: { id: string; sha256: string };
    }[];
    const audio = message!.audio;
    const described = (await (
      await fetch(`${baseUrl}/v25.0/${audio.id}`, { headers: bearer })
    ).json()) as Record<string, string>;
    expect(Buffer.from(described.sha256!, 'hex').toString('base64')).toBe(audio.sha256);
    const download = await fetch(described.url!, { headers: bearer });
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers 100 for a media id Meta no longer has, and for one never uploaded', async () => {
    const { body } = simulator.customerSends(phoneId, '15550123456', {
      type: 'image',
      image: { mime_type: 'image/jpeg', expired: true },
    });
    const [message] = body.entry[0]!.changes[0]!.value.messages as { image: { id: string } }[];
    for (const id of [message!.image.id, '1999999999999999']) {
      const described = await fetch(`${baseUrl}/v25.0/${id}`, { headers: bearer });
      expect(described.status).toBe(400);
      expect(await described.json()).toMatchObject({ error: { code: 100, error_subcode: 33 } });
    }
  });

  it('reports a customer file Meta could not download with 131052, as Meta does', async () => {
    const { body } = simulator.customerSends(phoneId, '15550123456', {
      type: 'video',
      video: { undownloadable: 'The file is larger than 100 MB.' },
    });
    const [message] = body.entry[0]!.changes[0]!.value.messages as Record<string, unknown>[];
    expect(message).toMatchObject({
      type: 'unsupported',
      unsupported: { type: 'video' },
      errors: [
        {
          code: 131052,
          title: 'Media download error',
          error_data: { details: 'The file is larger than 100 MB.' },
        },
      ],
    });
    expect(message).not.toHaveProperty('video');
  });

  it('reports a send with an unknown media id as failed with 131053', async () => {
    simulator.customerSends(phoneId, '15550123456', { type: 'text', text: { body: 'send me the photo' } });
    const response = await fetch(`${baseUrl}/v25.0/${phoneId}/messages`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        to: '15550123456',
        type: 'image',
        image: { id: '1999' },
      }),
    });
    const { messages } = (await response.json()) as { messages: { id: string }[] };
    await simulator.idle();
    expect(simulator.outboundMessage(messages[0]!.id)!.statuses).toEqual([
      expect.objectContaining({ status: 'failed', errorCode: 131053 }),
    ]);
  });
});

describe('message templates over real HTTP', () => {
  let receiver: WebhookReceiver;
  let simulator: Simulator;
  let baseUrl: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(appSecret);
    simulator = createSimulator({ webhook: { url: receiver.url, appSecret }, templateReviewDelayMs: 5 });
    baseUrl = await simulator.listen();
  });
  afterAll(async () => {
    await simulator.close();
    await receiver.close();
  });

  const graph = (method: string, pathAndQuery: string, body?: object) =>
    fetch(`${baseUrl}/v25.0/${pathAndQuery}`, {
      method,
      headers: { ...bearer, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const templateBody = (name: string, text = 'Hi {{1}}, your order {{2}} has shipped.') => ({
    name,
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'BODY', text, example: { body_text: [['Maya', '#77']] } }],
  });
  const statusUpdate = (name: string) =>
    receiver.waitFor(
      (all) => all.find((w) => w.body.entry[0]?.changes[0]?.value.message_template_name === name)?.body,
    );

  it('creates a PENDING template, approves it by webhook, and then sends it with the right parameters', async () => {
    const created = await graph('POST', `${wabaId}/message_templates`, templateBody('order_shipped'));
    expect(created.status).toBe(200);
    const { id, status, category } = (await created.json()) as Record<string, string>;
    expect({ status, category }).toEqual({ status: 'PENDING', category: 'UTILITY' });

    const early = await graph('POST', `${phoneId}/messages`, {
      messaging_product: 'whatsapp',
      to: '15550123456',
      type: 'template',
      template: { name: 'order_shipped', language: { code: 'en_US' } },
    });
    // Either still pending (132001) or approved but without parameters (132000): never accepted.
    expect(early.status).not.toBe(200);

    const webhook = await statusUpdate('order_shipped');
    const expected = fixture<WebhookBody>('webhooks/template-status-approved.json');
    expect(webhook).toEqual({
      ...expected,
      entry: [
        {
          ...expected.entry[0],
          time: webhook.entry[0]!.time,
          changes: [
            {
              field: 'message_template_status_update',
              value: { ...expected.entry[0]!.changes[0]!.value, message_template_id: Number(id) },
            },
          ],
        },
      ],
    });

    const send = (parameters: { type: 'text'; text: string }[]) =>
      graph('POST', `${phoneId}/messages`, {
        messaging_product: 'whatsapp',
        to: '15550123456',
        type: 'template',
        template: {
          name: 'order_shipped',
          language: { code: 'en_US' },
          components: [{ type: 'body', parameters }],
        },
      });
    const short = await send([{ type: 'text', text: 'Maya' }]);
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({
      error: {
        code: 132000,
        error_data: {
          details: 'body: number of localizable_params (1) does not match the expected number of params (2)',
        },
      },
    });
    const right = await send([
      { type: 'text', text: 'Maya' },
      { type: 'text', text: '#77' },
    ]);
    expect(right.status).toBe(200);

    const unknown = await graph('POST', `${phoneId}/messages`, {
      messaging_product: 'whatsapp',
      to: '15550123456',
      type: 'template',
      template: { name: 'order_shipped', language: { code: 'de' } },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 132001 } });
  });

  it('refuses sends Meta would refuse: paused 132015, disabled 132016, parameter format 132012', async () => {
    const seeded = createSimulator({
      wabas: [
        {
          id: wabaId,
          phoneNumbers: [{ id: phoneId, displayPhoneNumber: '15550101010', verifiedName: 'Shop' }],
          templates: [
            {
              name: 'paused_one',
              language: 'en_US',
              category: 'MARKETING',
              status: 'PAUSED',
              components: [{ type: 'BODY', text: 'Sale' }],
            },
            {
              name: 'disabled_one',
              language: 'en_US',
              category: 'MARKETING',
              status: 'DISABLED',
              components: [{ type: 'BODY', text: 'Sale' }],
            },
            {
              name: 'named_one',
              language: 'en_US',
              category: 'UTILITY',
              parameterFormat: 'NAMED',
              components: [{ type: 'BODY', text: 'Hi {{first_name}}!' }],
            },
          ],
        },
      ],
    });
    const url = await seeded.listen();
    try {
      const send = async (name: string, components?: object[]) => {
        const response = await fetch(`${url}/v25.0/${phoneId}/messages`, {
          method: 'POST',
          headers: { ...bearer, 'content-type': 'application/json' },
          body: JSON.stringify({
            messaging_product: 'whatsapp',
            to: '15550123456',
            type: 'template',
            template: { name, language: { code: 'en_US' }, ...(components ? { components } : {}) },
          }),
        });
        return {
          status: response.status,
          code: ((await response.json()) as { error?: { code: number } }).error?.code,
        };
      };
      expect(await send('paused_one')).toEqual({ status: 400, code: 132015 });
      expect(await send('disabled_one')).toEqual({ status: 400, code: 132016 });
      const positional = [{ type: 'body', parameters: [{ type: 'text', text: 'Maya' }] }];
      expect(await send('named_one', positional)).toEqual({ status: 400, code: 132012 });
      const wrongName = [
        { type: 'body', parameters: [{ type: 'text', text: 'Maya', parameter_name: 'name' }] },
      ];
      expect(await send('named_one', wrongName)).toEqual({ status: 400, code: 132012 });
      const named = [
        { type: 'body', parameters: [{ type: 'text', text: 'Maya', parameter_name: 'first_name' }] },
      ];
      expect(await send('named_one', named)).toEqual({ status: 200, code: undefined });
    } finally {
      await seeded.close();
    }
  });

  it('deletes one language by hsm_id and keeps the others', async () => {
    await graph('POST', `${wabaId}/message_templates`, templateBody('two_languages'));
    const german = await graph('POST', `${wabaId}/message_templates`, {
      ...templateBody('two_languages'),
      language: 'de',
    });
    const { id } = (await german.json()) as { id: string };
    const deleted = await graph('DELETE', `${wabaId}/message_templates?name=two_languages&hsm_id=${id}`);
    expect(await deleted.json()).toEqual({ success: true });
    expect(
      simulator
        .templates(wabaId)
        .filter((t) => t.name === 'two_languages')
        .map((t) => t.language),
    ).toEqual(['en_US']);
  });

  it('rejects templates whose name or texts contain "reject", with rejection_info', async () => {
    const created = await graph('POST', `${wabaId}/message_templates`, templateBody('please_reject_me'));
    expect(created.status).toBe(200);
    const webhook = await statusUpdate('please_reject_me');
    expect(webhook.entry[0]!.changes[0]!.value).toMatchObject({
      event: 'REJECTED',
      reason: 'INVALID_FORMAT',
      rejection_info: { reason: expect.any(String), recommendation: expect.any(String) },
    });
    expect(simulator.templates(wabaId).find((t) => t.name === 'please_reject_me')?.status).toBe('REJECTED');
  });

  it('refuses duplicates and bad names, and deletes by name', async () => {
    const duplicate = await graph('POST', `${wabaId}/message_templates`, templateBody('order_shipped'));
    expect(duplicate.status).toBe(400);
    expect(await duplicate.json()).toMatchObject({ error: { code: 100, error_subcode: 2388024 } });
    const badName = await graph('POST', `${wabaId}/message_templates`, templateBody('Order Shipped'));
    expect(badName.status).toBe(400);

    await graph('POST', `${wabaId}/message_templates`, templateBody('to_delete'));
    const deleted = await graph('DELETE', `${wabaId}/message_templates?name=to_delete`);
    expect(await deleted.json()).toEqual({ success: true });
    expect(simulator.templates(wabaId).some((t) => t.name === 'to_delete')).toBe(false);
    const again = await graph('DELETE', `${wabaId}/message_templates?name=to_delete`);
    expect(again.status).toBe(400);
  });

  it('pages with cursors, following paging.next as given, like templates-page-1/2.json', async () => {
    for (const name of ['page_a', 'page_b', 'page_c']) {
      await graph('POST', `${wabaId}/message_templates`, templateBody(name));
    }
    const all = simulator.templates(wabaId).map((t) => t.name);
    expect(all.length).toBeGreaterThanOrEqual(6);

    const names: string[] = [];
    let url: string | undefined = `${baseUrl}/v25.0/${wabaId}/message_templates?limit=2`;
    let pages = 0;
    while (url) {
      const page = (await (await fetch(url, { headers: bearer })).json()) as {
        data: Record<string, unknown>[];
        paging?: { cursors: { before: string; after: string }; next?: string };
      };
      pages += 1;
      names.push(...page.data.map((t) => t.name as string));
      const fixturePage = fixture<{ data: Record<string, unknown>[] }>('graph/templates-page-1.json');
      expect(Object.keys(page.data[0]!)).toEqual(Object.keys(fixturePage.data[0]!));
      expect(page.paging?.cursors.after).toMatch(/^[A-Za-z0-9_-]+$/);
      url = page.paging?.next;
    }
    expect(names).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));

    const fields = (await (
      await fetch(`${baseUrl}/v25.0/${wabaId}/message_templates?fields=name,status&limit=1`, {
        headers: bearer,
      })
    ).json()) as { data: Record<string, unknown>[] };
    expect(Object.keys(fields.data[0]!).sort()).toEqual(['id', 'name', 'status']);
  });
});

describe('simulator/main.ts', () => {
  it('runs alone, prints its URL and answers Graph calls', async () => {
    const child = spawn(process.execPath, [path.join(import.meta.dirname, 'main.ts')], {
      env: { ...process.env, SIMULATOR_PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 15_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      });
      const phone = await fetch(`${url}/v25.0/${phoneId}`, { headers: bearer });
      expect(await phone.json()).toMatchObject({ id: phoneId, display_phone_number: '+1 555-010-1010' });
      const control = await fetch(`${url}/_simulator/customer-messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          phoneNumberId: phoneId,
          from: '15550123456',
          message: { type: 'text', text: { body: 'hi' } },
        }),
      });
      expect(await control.json()).toMatchObject({ wamid: expect.stringMatching(/^wamid\./) });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
