import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startWebhookReceiver,
  statusesOf,
  unusedLocalUrl,
  type WebhookReceiver,
} from '../../test/whatsapp.ts';
import { createSimulator, defaultAccessToken, type Simulator } from './simulator.ts';

/**
 * Where third-party Cloud API clients noticed the simulator answering unlike Meta: mark-as-read, error
 * headers and types, unversioned paths, unfetchable media links, and the 2026 BSUID fields.
 */

const phoneId = '420000000000001';
const wabaId = '310000000000001';
const maya = '15550123456';
const appSecret = 'conformance-secret';
const headers = { authorization: `Bearer ${defaultAccessToken}`, 'content-type': 'application/json' };

let receiver: WebhookReceiver;
let simulator: Simulator;
beforeAll(async () => {
  receiver = await startWebhookReceiver(appSecret);
  simulator = createSimulator({
    webhook: { url: receiver.url, appSecret },
    statusDelaysMs: { sent: 1, delivered: 1, read: 1 },
  });
});
afterAll(async () => {
  await simulator.close();
  await receiver.close();
});

const post = (url: string, payload: object, token = defaultAccessToken) =>
  simulator.app.inject({
    method: 'POST',
    url,
    headers: { ...headers, authorization: `Bearer ${token}` },
    payload,
  });

describe('mark as read', () => {
  it('answers 200 {"success":true} and the customer sees the message (and earlier ones) read', async () => {
    const first = simulator.customerSends(phoneId, maya, { type: 'text', text: { body: 'Hello?' } });
    const second = simulator.customerSends(phoneId, maya, { type: 'text', text: { body: 'Anyone there?' } });
    const response = await post(`/v25.0/${phoneId}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: second.wamid,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true });
    expect(simulator.inboundMessage(second.wamid)?.readAt).toBeDefined();
    expect(simulator.inboundMessage(first.wamid)?.readAt).toBeDefined();
  });

  it('accepts a typing indicator with it', async () => {
    const { wamid } = simulator.customerSends(phoneId, maya, { type: 'text', text: { body: 'Price?' } });
    const response = await post(`/v25.0/${phoneId}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: wamid,
      typing_indicator: { type: 'text' },
    });
    expect(response.json()).toEqual({ success: true });
    expect(simulator.inboundMessage(wamid)?.typingIndicatorAt).toBeDefined();
  });

  it('refuses a message id the number never received with code 100', async () => {
    const response = await post(`/v25.0/${phoneId}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.unknown',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 100, type: 'OAuthException' } });
  });
});

describe('error headers and types', () => {
  it('a token error (190) carries WWW-Authenticate, x-fb-trace-id (= fbtrace_id) and x-fb-request-id', async () => {
    const response = await post(`/v25.0/${phoneId}/messages`, { messaging_product: 'whatsapp' }, 'bad-token');
    expect(response.statusCode).toBe(401);
    const body = response.json<{ error: { code: number; fbtrace_id: string } }>();
    expect(body.error.code).toBe(190);
    expect(response.headers['www-authenticate']).toMatch(/^OAuth "Facebook Platform" "invalid_token" "/);
    expect(response.headers['x-fb-trace-id']).toBe(body.error.fbtrace_id);
    expect(response.headers['x-fb-request-id']).toMatch(/^[A-Za-z0-9_-]{10,}$/);
  });

  it('calls on a number or WABA report x-business-use-case-usage for its WABA', async () => {
    const response = await simulator.app.inject({
      method: 'GET',
      url: `/v25.0/${wabaId}/phone_numbers`,
      headers,
    });
    expect(response.statusCode).toBe(200);
    const usage = JSON.parse(String(response.headers['x-business-use-case-usage'])) as Record<
      string,
      unknown[]
    >;
    expect(usage[wabaId]?.[0]).toMatchObject({ type: 'whatsapp', call_count: expect.any(Number) });
    expect(response.headers['x-fb-trace-id']).toBeTruthy();
  });

  it('answers unknown objects and paths with GraphMethodException (code 100, subcode 33)', async () => {
    const unknown = await simulator.app.inject({ method: 'GET', url: '/v25.0/429999999999999', headers });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      error: { type: 'GraphMethodException', code: 100, error_subcode: 33 },
    });
    const path = await simulator.app.inject({ method: 'GET', url: '/v25.0/1/2/3', headers });
    expect(path.json()).toMatchObject({ error: { type: 'GraphMethodException', code: 100 } });
  });
});

describe('unversioned paths', () => {
  it('are served at the default version, as graph.facebook.com does', async () => {
    const number = await simulator.app.inject({ method: 'GET', url: `/${phoneId}`, headers });
    expect(number.statusCode).toBe(200);
    expect(number.json()).toMatchObject({ id: phoneId });
    simulator.customerSends(phoneId, maya, { type: 'text', text: { body: 'hi' } });
    const sent = await post(`/${phoneId}/messages`, {
      messaging_product: 'whatsapp',
      to: maya,
      type: 'text',
      text: { body: 'Hello without a version' },
    });
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toMatchObject({ messages: [{ id: expect.stringMatching(/^wamid\./) }] });
  });
});

describe('media links', () => {
  const sendImage = async (link: string) => {
    simulator.customerSends(phoneId, maya, { type: 'text', text: { body: 'send me a photo' } });
    const response = await post(`/v25.0/${phoneId}/messages`, {
      messaging_product: 'whatsapp',
      to: maya,
      type: 'image',
      image: { link },
    });
    expect(response.statusCode).toBe(200); // accepted first, like Meta; the download happens after
    const wamid = response.json<{ messages: { id: string }[] }>().messages[0]!.id;
    return receiver.waitFor((all) => {
      const found = statusesOf(all, wamid);
      return found.length ? found : undefined;
    });
  };

  it('a link that answers 404 ends in a failed status with 131053', async () => {
    const server = createServer((_request, response) => {
      response.statusCode = 404;
      response.end('gone');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const [status] = await sendImage(`http://127.0.0.1:${port}/missing.png`);
      expect(status).toMatchObject({
        status: 'failed',
        errors: [
          {
            code: 131053,
            title: 'Media upload error',
            error_data: {
              details: 'Downloading media from weblink failed with http code 404, status message Not Found',
            },
          },
        ],
      });
    } finally {
      server.close();
    }
  });

  it('a link nobody answers ends the same way', async () => {
    const [status] = await sendImage(`${await unusedLocalUrl()}/photo.png`);
    expect(status).toMatchObject({ status: 'failed', errors: [{ code: 131053 }] });
  });
});

describe('business-scoped user ids (2026)', () => {
  it('messages carry from_user_id beside from, statuses recipient_user_id beside recipient_id', async () => {
    const inbound = simulator.customerSends(phoneId, maya, { type: 'text', text: { body: 'bsuid?' } });
    const message = (
      JSON.parse(inbound.record.body) as { entry: { changes: { value: { messages: object[] } }[] }[] }
    ).entry[0]!.changes[0]!.value.messages[0];
    expect(message).toMatchObject({ from: maya, from_user_id: 'US.7731946620185347712' });

    const sent = await post(`/v25.0/${phoneId}/messages`, {
      messaging_product: 'whatsapp',
      to: maya,
      type: 'text',
      text: { body: 'yes' },
    });
    const wamid = sent.json<{ messages: { id: string }[] }>().messages[0]!.id;
    const [status] = await receiver.waitFor((all) => {
      const found = statusesOf(all, wamid);
      return found.length ? found : undefined;
    });
    expect(status).toMatchObject({ recipient_id: maya, recipient_user_id: 'US.7731946620185347712' });
  });
});
