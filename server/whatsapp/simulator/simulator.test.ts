import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signWebhookBody } from '../signature.ts';
import {
  fixture,
  fixtureBytes,
  startWebhookReceiver,
  statusesOf,
  unusedLocalUrl,
  type WebhookBody,
  type WebhookReceiver,
} from '../../test/whatsapp.ts';
import type { InboundMessage } from './inbound.ts';
import { createSimulator, defaultAccessToken, type Simulator } from './simulator.ts';

const phoneId = '420000000000001';
const maya = '15550123456';
const appSecret = 'parley-test-secret-1';
const auth = { authorization: `Bearer ${defaultAccessToken}`, 'content-type': 'application/json' };
const textTo = (to: string, body = 'Hello') => ({
  messaging_product: 'whatsapp',
  to,
  type: 'text',
  text: { body },
});

/** A clock the tests move by hand, so windows and rate limits do not depend on the machine. */
function manualClock(start = Date.UTC(2026, 10, 24, 12, 0, 0)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** A Graph reply, success or error; tests read the half they expect. */
interface GraphReply {
  messages: { id: string; message_status?: string }[];
  contacts: { input: string; wa_id: string }[];
  error: { code: number; error_subcode?: number; type: string; fbtrace_id: string; error_data?: unknown };
}

interface InboundBody {
  id: string;
  timestamp: string;
  type: string;
  [key: string]: unknown;
}

async function send(simulator: Simulator, payload: object, token = defaultAccessToken, phone = phoneId) {
  const response = await simulator.app.inject({
    method: 'POST',
    url: `/v25.0/${phone}/messages`,
    headers: { ...auth, authorization: `Bearer ${token}` },
    payload,
  });
  return { status: response.statusCode, body: response.json<GraphReply>(), text: response.body };
}

const firstMessage = (body: WebhookBody) => body.entry[0]?.changes[0]?.value.messages?.[0] as InboundBody;

describe('full exchange through real HTTP with signed webhooks', () => {
  let receiver: WebhookReceiver;
  let simulator: Simulator;
  let baseUrl: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(appSecret);
    simulator = createSimulator({
      webhook: { url: receiver.url, appSecret },
      seed: 42,
      statusDelaysMs: { sent: 1, delivered: 1, read: 1 },
    });
    baseUrl = await simulator.listen();
  });
  afterAll(async () => {
    await simulator.close();
    await receiver.close();
  });

  const post = (path: string, body: object) =>
    fetch(`${baseUrl}/v25.0/${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });

  it('customer text → a signed webhook shaped like fixtures/webhooks/text.json; reply → sent, delivered, read', async () => {
    const inbound = simulator.customerSends(phoneId, maya, {
      type: 'text',
      text: { body: 'Hi! Is the blue jacket still in stock?' },
    });
    const webhook = await receiver.waitFor((all) =>
      all.find((w) => firstMessage(w.body)?.id === inbound.wamid),
    );
    const expected = fixture<WebhookBody>('webhooks/text.json');
    const message = firstMessage(webhook.body);
    expect(message.id).toMatch(/^wamid\.[A-Za-z0-9+/]+=*$/);
    expect(message.timestamp).toMatch(/^\d{10}$/);
    // Meta's 2026 shape: the sender's BSUID travels with the message too (from_user_id), beside `from`.
    Object.assign(firstMessage(expected), {
      id: message.id,
      timestamp: message.timestamp,
      from_user_id: 'US.7731946620185347712',
    });
    expect(webhook.body).toEqual(expected);
    expect(webhook.signature).toBe(signWebhookBody(appSecret, webhook.raw));
    expect(receiver.rejected()).toBe(0);

    const response = await post(`${phoneId}/messages`, {
      ...textTo(maya, 'Yes, in M and L'),
      context: { message_id: inbound.wamid },
    });
    expect(response.status).toBe(200);
    const sent = (await response.json()) as {
      contacts: unknown;
      messages: { id: string; message_status?: string }[];
    };
    expect(sent.contacts).toEqual([{ input: maya, wa_id: maya }]);
    const wamid = sent.messages[0]!.id;
    expect(wamid).toMatch(/^wamid\./);
    expect(sent.messages[0]!.message_status).toBeUndefined();

    const statuses = await receiver.waitFor((all) => {
      const found = statusesOf(all, wamid);
      return found.length >= 3 ? found : undefined;
    });
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    const servicePricing = {
      billable: false,
      pricing_model: 'PMP',
      category: 'service',
      type: 'free_customer_service',
    };
    expect(statuses[0]).toMatchObject({ recipient_id: maya, pricing: servicePricing });
    expect(statuses[0]?.conversation).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      origin: { type: 'service' },
    });
    expect(statuses[1]).toMatchObject({ pricing: servicePricing });
    expect(statuses[1]?.conversation).toBeUndefined();
    expect(statuses[2]?.pricing).toBeUndefined();
    // Status webhooks carry the same envelope as fixtures/webhooks/status-sent.json.
    const statusWebhook = receiver.received.find((w) => statusesOf([w], wamid).length > 0)!;
    const sentFixture = fixture<WebhookBody>('webhooks/status-sent.json');
    expect(statusWebhook.body.entry[0]?.id).toBe(sentFixture.entry[0]?.id);
    expect(statusWebhook.body.entry[0]?.changes[0]?.value.metadata).toEqual(
      sentFixture.entry[0]?.changes[0]?.value.metadata,
    );
    // …plus the recipient's BSUIDs (Meta, 2026: recipient_user_id and its parent beside recipient_id).
    const fixtureKeys = Object.keys(sentFixture.entry[0]!.changes[0]!.value.statuses![0]!);
    fixtureKeys.splice(
      fixtureKeys.indexOf('recipient_id') + 1,
      0,
      'recipient_user_id',
      'recipient_parent_user_id',
    );
    expect(Object.keys(statuses[0]!)).toEqual(fixtureKeys);
    expect(statuses[0]).toMatchObject({
      recipient_user_id: 'US.7731946620185347712',
      recipient_parent_user_id: 'US.ENT.5518203377461902231',
    });
  });

  it('free-form text to a customer who never wrote: 200, then a failed status with 131047 (no pricing)', async () => {
    const stranger = '15550177777';
    const response = await post(`${phoneId}/messages`, textTo(stranger));
    expect(response.status).toBe(200);
    const { messages } = (await response.json()) as { messages: { id: string }[] };
    const [failed] = await receiver.waitFor((all) => {
      const found = statusesOf(all, messages[0]!.id);
      return found.length ? found : undefined;
    });
    const expected = fixture<WebhookBody>('webhooks/status-failed-131047.json').entry[0]!.changes[0]!.value
      .statuses![0]!;
    expect(failed).toEqual({
      ...expected,
      id: messages[0]!.id,
      timestamp: failed!.timestamp,
      recipient_id: stranger,
      recipient_user_id: expect.stringMatching(/^US\.\d+$/),
    });
    await simulator.idle();
    expect(statusesOf(receiver.received, messages[0]!.id)).toHaveLength(1);
  });

  it('a template to that customer is delivered, billed as its category', async () => {
    const stranger = '15550177777';
    const response = await post(`${phoneId}/messages`, {
      messaging_product: 'whatsapp',
      to: stranger,
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    expect(response.status).toBe(200);
    const { messages } = (await response.json()) as { messages: { id: string; message_status: string }[] };
    expect(messages[0]!.message_status).toBe('accepted');
    const statuses = await receiver.waitFor((all) => {
      const found = statusesOf(all, messages[0]!.id);
      return found.length >= 3 ? found : undefined;
    });
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(statuses[0]?.pricing).toEqual({
      billable: true,
      pricing_model: 'PMP',
      category: 'utility',
      type: 'regular',
    });
  });

  it('a recipient not on WhatsApp gets a failed status with 131026', async () => {
    simulator.setNotOnWhatsApp('15550188888');
    const response = await post(`${phoneId}/messages`, {
      messaging_product: 'whatsapp',
      to: '+1 555 018 8888',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    const { messages, contacts } = (await response.json()) as {
      messages: { id: string }[];
      contacts: { input: string; wa_id: string }[];
    };
    expect(contacts).toEqual([{ input: '+1 555 018 8888', wa_id: '15550188888' }]);
    const [failed] = await receiver.waitFor((all) => {
      const found = statusesOf(all, messages[0]!.id);
      return found.length ? found : undefined;
    });
    const expected = fixture<WebhookBody>('webhooks/status-failed-131026.json').entry[0]!.changes[0]!.value
      .statuses![0]!;
    expect(failed).toEqual({
      ...expected,
      id: messages[0]!.id,
      timestamp: failed!.timestamp,
      recipient_user_id: expect.stringMatching(/^US\.\d+$/),
    });
  });

  it('signs replayed fixture bytes exactly like signatures.json', async () => {
    const bytes = fixtureBytes('webhooks/text.json');
    const { settled } = simulator.sendWebhook('310000000000001', bytes.toString('utf8'));
    expect((await settled).state).toBe('delivered');
    const vector = fixture<{ vectors: { body_file?: string; header: string; secret: string }[] }>(
      'signatures.json',
    ).vectors.find((v) => v.body_file === 'webhooks/text.json')!;
    expect(vector.secret).toBe(appSecret);
    const got = receiver.received.at(-1)!;
    expect(got.raw.equals(bytes)).toBe(true);
    expect(got.signature).toBe(vector.header);
  });
});

describe('customer messages: every inbound type in fixtures/webhooks', () => {
  const clock = manualClock();
  const simulator = createSimulator({ now: clock.now });
  afterAll(() => simulator.close());

  const inboundFixtures = [
    'text.json',
    'text-reply-context.json',
    'text-forwarded.json',
    'text-referral-ctwa.json',
    'text-bsuid-only.json',
    'image.json',
    'audio-voice.json',
    'video.json',
    'document.json',
    'sticker-animated.json',
    'location.json',
    'contacts.json',
    'interactive-button-reply.json',
    'interactive-list-reply.json',
    'interactive-nfm-reply.json',
    'button-template-quick-reply.json',
    'reaction.json',
    'reaction-removed.json',
    'order.json',
    'system-customer-changed-number.json',
    'request-welcome.json',
    'unsupported.json',
  ];
  const mediaTypes = ['image', 'audio', 'video', 'document', 'sticker'];

  interface MediaPart {
    id: string;
    sha256: string;
    [key: string]: unknown;
  }
  interface FixtureContact {
    profile: { name: string; username?: string };
    user_id?: string;
    parent_user_id?: string;
  }

  it.each(inboundFixtures)('%s', (file) => {
    const expected = fixture<WebhookBody>(`webhooks/${file}`);
    const value = expected.entry[0]!.changes[0]!.value;
    const expectedMessage = value.messages![0] as InboundBody & { from?: string; from_user_id?: string };
    const { from, from_user_id, id: _id, timestamp: _timestamp, errors: _errors, ...input } = expectedMessage;
    const isMedia = mediaTypes.includes(input.type);
    if (isMedia) {
      const { id: _mediaId, sha256: _sha, ...media } = input[input.type] as MediaPart;
      input[input.type] = media;
    }
    const contact = (value.contacts as FixtureContact[] | undefined)?.[0];
    const profile = contact && {
      name: contact.profile.name,
      username: contact.profile.username,
      userId: contact.user_id,
      parentUserId: contact.parent_user_id,
    };

    const sent = simulator.customerSends(
      phoneId,
      (from ?? from_user_id)!,
      input as unknown as InboundMessage,
      profile,
    );

    const actual = JSON.parse(sent.record.body) as WebhookBody;
    const message = firstMessage(actual);
    expect(message.id).toBe(sent.wamid);
    expect(message.timestamp).toBe(String(Math.floor(clock.now() / 1000)));
    Object.assign(expectedMessage, { id: message.id, timestamp: message.timestamp });
    if (from) {
      // Since 2026 a message from a phone user carries the sender's BSUID as well.
      expect(message.from_user_id).toBe(contact?.user_id ?? message.from_user_id);
      expect(message.from_user_id).toMatch(/^[A-Z]{2}\.\d+$/);
      expectedMessage.from_user_id = message.from_user_id as string;
    }
    if (isMedia) {
      const media = message[input.type] as MediaPart;
      const stored = simulator.media(media.id)!;
      expect(media.sha256).toBe(stored.sha256.toString('base64'));
      Object.assign(expectedMessage[input.type] as MediaPart, { id: media.id, sha256: media.sha256 });
    }
    expect(actual).toEqual(expected);
  });

  it('sends non-ASCII as \\u escapes, like Meta', () => {
    const { record } = simulator.customerSends(phoneId, maya, {
      type: 'document',
      document: { filename: 'Factura_Nº_2025-118.pdf', caption: 'café 👋' },
    });
    expect(/^[\x20-\x7e]*$/.test(record.body)).toBe(true);
    expect(record.body).toContain('Factura_N\\u00ba_2025-118.pdf');
    expect(record.body).toContain('caf\\u00e9 \\ud83d\\udc4b');
  });
});

describe('the 24-hour customer-service window', () => {
  it('opens with the customer message and closes 24 hours later', async () => {
    const clock = manualClock();
    const simulator = createSimulator({
      now: clock.now,
      statusDelaysMs: { sent: 0, delivered: 0, read: null },
    });
    try {
      simulator.customerSends(phoneId, maya, { type: 'text', text: { body: 'Hi' } });
      clock.advance(24 * 60 * 60 * 1000 - 1);
      const inside = await send(simulator, textTo(maya));
      clock.advance(2);
      expect(simulator.windowOpen(phoneId, maya)).toBe(false);
      const outside = await send(simulator, textTo(maya));
      await simulator.idle();
      expect([inside.status, outside.status]).toEqual([200, 200]);
      const statusOf = (wamid: string) =>
        simulator.outboundMessage(wamid)!.statuses.map((s) => s.errorCode ?? s.status);
      expect(statusOf(inside.body.messages[0]!.id)).toEqual(['sent', 'delivered']);
      expect(statusOf(outside.body.messages[0]!.id)).toEqual([131047]);
    } finally {
      await simulator.close();
    }
  });
});

describe('send limits', () => {
  let simulator: Simulator;
  afterEach(() => simulator.close());

  it('answers 130429 when a burst exceeds the per-number throughput', async () => {
    const clock = manualClock();
    simulator = createSimulator({ now: clock.now, throughputPerSecond: 3, statusDelaysMs: { read: null } });
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await send(simulator, textTo(`1555020000${i}`)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 400]);
    const expected = fixture<{ error: Record<string, unknown> }>('graph/errors/130429.json');
    expect(results[3]!.body).toEqual({
      error: { ...expected.error, fbtrace_id: results[3]!.body.error.fbtrace_id },
    });
    clock.advance(1000);
    expect((await send(simulator, textTo('15550200009'))).status).toBe(200);
  });

  it('answers 131056 past the pair-rate burst to one recipient, and recovers after the interval', async () => {
    const clock = manualClock();
    simulator = createSimulator({
      now: clock.now,
      pairRate: { burst: 2, intervalMs: 6000 },
      statusDelaysMs: { read: null },
    });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await send(simulator, textTo(maya))).status);
    expect(statuses).toEqual([200, 200, 400]);
    const refused = await send(simulator, textTo(maya));
    expect(refused.body.error).toMatchObject({ code: 131056, type: 'OAuthException' });
    expect(refused.body.error.error_data).toEqual(
      fixture<{ error: { error_data: unknown } }>('graph/errors/131056.json').error.error_data,
    );
    expect((await send(simulator, textTo('15550200001'))).status).toBe(200);
    clock.advance(6000);
    expect((await send(simulator, textTo(maya))).status).toBe(200);
    expect((await send(simulator, textTo(maya))).status).toBe(400);
  });
});

describe('messaging limit (tier) and lost answers', () => {
  let simulator: Simulator;
  afterEach(() => simulator.close());

  const helloWorld = (to: string) => ({
    messaging_product: 'whatsapp',
    to,
    type: 'template',
    template: { name: 'hello_world', language: { code: 'en_US' } },
  });

  it('fails business-initiated conversations beyond the number’s tier with a failed status, and only those', async () => {
    const clock = manualClock();
    simulator = createSimulator({
      now: clock.now,
      statusDelaysMs: { sent: 0, delivered: 0, read: null },
      wabas: [
        {
          id: '310000000000001',
          phoneNumbers: [
            {
              id: phoneId,
              displayPhoneNumber: '15550101010',
              verifiedName: 'Parley Demo Store',
              messagingLimitTier: 'TIER_250',
            },
          ],
        },
      ],
      pairRate: { burst: 1000, intervalMs: 1 },
      throughputPerSecond: 1000,
    });
    const wamids: string[] = [];
    for (let i = 0; i < 251; i += 1) {
      const reply = await send(simulator, helloWorld(`1555030${String(i).padStart(4, '0')}`));
      expect(reply.status).toBe(200); // Meta accepts; the limit shows in the status
      wamids.push(reply.body.messages[0]!.id);
    }
    // A customer already reached today, and a reply inside a window, do not count.
    const again = await send(simulator, helloWorld('15550300000'));
    simulator.customerSends(phoneId, '15550309999', { type: 'text', text: { body: 'Hi' } });
    const reply = await send(simulator, textTo('15550309999'));
    await simulator.idle();
    const last = (wamid: string) =>
      simulator.outboundMessage(wamid)!.statuses.map((s) => s.errorCode ?? s.status);
    expect(last(wamids[249]!)).toEqual(['sent', 'delivered']);
    expect(last(wamids[250]!)).toEqual([131048]);
    expect(last(again.body.messages[0]!.id)).toEqual(['sent', 'delivered']);
    expect(last(reply.body.messages[0]!.id)).toEqual(['sent', 'delivered']);
    // 24 hours later the first customers no longer count.
    clock.advance(24 * 60 * 60 * 1000);
    const tomorrow = await send(simulator, helloWorld('15550310000'));
    await simulator.idle();
    expect(last(tomorrow.body.messages[0]!.id)).toEqual(['sent', 'delivered']);
  });

  it('accept-then-drop: the send is accepted (statuses follow) but the connection closes without an answer', async () => {
    simulator = createSimulator({ statusDelaysMs: { sent: 0, delivered: 0, read: null } });
    const url = await simulator.listen();
    simulator.injectFault({ path: '/messages', dropAfterAccept: true });
    const post = () =>
      fetch(`${url}/v25.0/${phoneId}/messages`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ ...textTo(maya), biz_opaque_callback_data: 'parley:tag' }),
      });
    simulator.customerSends(phoneId, maya, { type: 'text', text: { body: 'Hi' } });
    await expect(post()).rejects.toThrow();
    await simulator.idle();
    const [accepted] = simulator.outboundMessages();
    expect(accepted?.statuses.map((s) => s.status)).toEqual(['sent', 'delivered']);
    // The next request is answered as usual.
    expect((await post()).status).toBe(200);
  });

  it('chaos faults: a reset before handling, a late answer after accepting, a share of requests', async () => {
    simulator = createSimulator({ statusDelaysMs: { sent: 0, delivered: 0, read: null } });
    const url = await simulator.listen();
    const post = () =>
      fetch(`${url}/v25.0/${phoneId}/messages`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify(textTo(maya)),
      });
    simulator.customerSends(phoneId, maya, { type: 'text', text: { body: 'Hi' } });

    simulator.injectFault({ path: '/messages', resetConnection: true });
    await expect(post()).rejects.toThrow();
    expect(simulator.outboundMessages()).toHaveLength(0);

    simulator.injectFault({ path: '/messages', answerDelayMs: 400 });
    const started = Date.now();
    const late = post();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(simulator.outboundMessages()).toHaveLength(1); // accepted before the answer leaves
    expect((await late).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);

    simulator.injectFault({ path: '/messages', httpStatus: 503, probability: 0, times: 100 });
    expect((await post()).status).toBe(200);
    simulator.clearFaults();
    simulator.injectFault({ path: '/messages', httpStatus: 503, probability: 1, times: 100 });
    expect((await post()).status).toBe(503);
  });
});

describe('authentication and objects', () => {
  const clock = manualClock();
  const simulator = createSimulator({
    now: clock.now,
    tokens: [
      { token: defaultAccessToken, wabaIds: ['310000000000001', '310000000000002'] },
      { token: 'second-waba-only', wabaIds: ['310000000000002'] },
      { token: 'short-lived', wabaIds: ['310000000000001'], expiresAt: clock.now() + 1000 },
    ],
  });
  afterAll(() => simulator.close());

  it('answers 401 code 190 for a missing or unknown token, without echoing it', async () => {
    const secret = 'EAAG-not-a-real-token-7d1c';
    const bad = await send(simulator, textTo(maya), secret);
    expect(bad.status).toBe(401);
    expect(bad.body.error).toMatchObject({ code: 190, type: 'OAuthException' });
    expect(bad.text).not.toContain(secret);
    const missing = await simulator.app.inject({
      method: 'POST',
      url: `/v25.0/${phoneId}/messages`,
      payload: textTo(maya),
    });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ error: { code: 190 } });
  });

  it('answers 190/463 once a token expired', async () => {
    expect((await send(simulator, textTo(maya), 'short-lived')).status).toBe(200);
    clock.advance(1000);
    const expired = await send(simulator, textTo(maya), 'short-lived');
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatchObject({ code: 190, error_subcode: 463 });
  });

  it('answers 400 code 100 for an unknown phone number or one outside the token’s WABAs', async () => {
    const unknown = await send(simulator, textTo(maya), defaultAccessToken, '429999999999999');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 100, error_subcode: 33 });
    const foreign = await send(simulator, textTo(maya), 'second-waba-only');
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toMatchObject({ code: 100 });
    expect((await send(simulator, textTo(maya), 'second-waba-only', '420000000000002')).status).toBe(200);
  });

  it('answers 400 code 100 with Meta-style details for an invalid payload', async () => {
    const invalid = await send(simulator, {
      messaging_product: 'whatsapp',
      to: maya,
      type: 'text',
      text: {},
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatchObject({
      code: 100,
      error_data: { details: expect.stringContaining("Param text['body']") },
    });
  });

  it('serves phone numbers like fixtures/graph/phone-numbers.json', async () => {
    const list = await simulator.app.inject({
      method: 'GET',
      url: '/v25.0/310000000000001/phone_numbers',
      headers: auth,
    });
    const expected = fixture<{ data: unknown[] }>('graph/phone-numbers.json');
    expect(list.json<{ data: unknown[] }>().data).toEqual(expected.data);
    const one = await simulator.app.inject({ method: 'GET', url: `/v25.0/${phoneId}`, headers: auth });
    expect(one.json()).toEqual(expected.data[0]);
  });

  it('answers unknown paths and versions the Graph way', async () => {
    const path = await simulator.app.inject({ method: 'GET', url: '/v25.0/1/2/3', headers: auth });
    expect(path.statusCode).toBe(400);
    expect(path.json()).toMatchObject({ error: { code: 100 } });
    const version = await simulator.app.inject({ method: 'GET', url: `/latest/${phoneId}`, headers: auth });
    expect(version.statusCode).toBe(400);
  });
});

describe('webhook delivery', () => {
  it('retries with backoff until the receiver accepts, re-sending the same signed bytes', async () => {
    const receiver = await startWebhookReceiver(appSecret);
    const simulator = createSimulator({
      webhook: { url: receiver.url, appSecret },
      webhookRetry: { baseDelayMs: 5, maxAttempts: 5 },
    });
    try {
      receiver.failNext(2);
      const { settled } = simulator.customerSends(phoneId, maya, { type: 'text', text: { body: 'anyone?' } });
      const record = await settled;
      expect(record.state).toBe('delivered');
      expect(record.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
      expect(record.attempts[1]!.at).toBeGreaterThanOrEqual(record.attempts[0]!.at);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.raw.toString()).toBe(record.body);
    } finally {
      await simulator.close();
      await receiver.close();
    }
  });

  it('gives up after the last attempt and logs the failure', async () => {
    const simulator = createSimulator({
      webhook: { url: `${await unusedLocalUrl()}/webhook`, appSecret },
      webhookRetry: { baseDelayMs: 1, maxAttempts: 2, timeoutMs: 1000 },
    });
    try {
      const { settled } = simulator.customerSends(phoneId, maya, { type: 'text', text: { body: 'hello?' } });
      const record = await settled;
      expect(record.state).toBe('failed');
      expect(record.attempts).toHaveLength(2);
      expect(record.attempts[0]!.error).toBeTruthy();
      expect(simulator.webhookLog()).toContain(record);
    } finally {
      await simulator.close();
    }
  });

  it('routes per-WABA targets and logs bodies with no target', async () => {
    const simulator = createSimulator({});
    try {
      const { record } = simulator.customerSends('420000000000002', maya, {
        type: 'text',
        text: { body: 'x' },
      });
      expect(record.state).toBe('no-target');
      expect(JSON.parse(record.body)).toMatchObject({ entry: [{ id: '310000000000002' }] });
    } finally {
      await simulator.close();
    }
  });
});

describe('determinism', () => {
  async function run(seed: number) {
    const clock = manualClock();
    const simulator = createSimulator({
      seed,
      now: clock.now,
      statusDelaysMs: { sent: 0, delivered: 0, read: 0 },
    });
    try {
      simulator.customerSends(phoneId, maya, { type: 'image', image: { caption: 'this one' } });
      const reply = await send(simulator, textTo(maya, 'Got it'));
      const upload = await simulator.app.inject({
        method: 'POST',
        url: `/v25.0/${phoneId}/media`,
        headers: { authorization: auth.authorization, 'content-type': 'multipart/form-data; boundary=x' },
        payload:
          '--x\r\nContent-Disposition: form-data; name="messaging_product"\r\n\r\nwhatsapp\r\n' +
          '--x\r\nContent-Disposition: form-data; name="type"\r\n\r\nimage/png\r\n' +
          '--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--x--\r\n',
      });
      await simulator.idle();
      return {
        wamid: reply.body.messages[0]!.id,
        mediaId: upload.json<{ id: string }>().id,
        webhooks: simulator.webhookLog().map((record) => record.body),
      };
    } finally {
      await simulator.close();
    }
  }

  it('gives the same ids and webhook bytes for the same seed, and others for another seed', async () => {
    const first = await run(7);
    const again = await run(7);
    const other = await run(8);
    expect(first.webhooks).toHaveLength(4);
    expect(again).toEqual(first);
    expect(other.wamid).not.toBe(first.wamid);
    expect(other.mediaId).not.toBe(first.mediaId);
  });
});
