import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { call } from '../../test/http-client.ts';
import { createSimulator } from '../../whatsapp/simulator/simulator.ts';

/** Connecting a WhatsApp Business Account through the Graph API, the simulator standing in for Meta. */
const appSecret = 'e2e-app-secret-0123456789';
const simulator = createSimulator({ seed: 7 });
const parley = setupTestApp(async () => ({ env: { GRAPH_API_BASE_URL: await simulator.listen() } }));
let owner: SignedUp;

beforeAll(async () => {
  owner = await signUpViaHttp(parley.app, { workspaceName: 'Jacket Shop' });
});
afterAll(async () => {
  await simulator.close();
});

const connectInput = (overrides: Record<string, string> = {}) => ({
  name: 'Main number',
  metaAppId: '900000000000001',
  appSecret,
  verifyToken: 'e2e-verify-token',
  wabaId: '310000000000001',
  accessToken: simulator.accessToken,
  ...overrides,
});

describe('channels through the Graph API', () => {
  it('refuse to connect with a token Meta rejects, saying why, and store nothing', async () => {
    const result = await call(
      parley.app,
      'mutation',
      'channel.connect',
      connectInput({ accessToken: 'not-a-real-token-0123456789' }),
      { cookie: owner.token },
    );
    expect(result.status).toBe(400);
    expect(result.error?.message).toMatch(/Meta/);
    const list = await call(parley.app, 'query', 'channel.list', undefined, {
      cookie: owner.token,
    });
    expect(list.data).toEqual([]);
  });

  it('connect: finds the numbers, returns the webhook URL, and never returns a secret', async () => {
    const result = await call(parley.app, 'mutation', 'channel.connect', connectInput(), {
      cookie: owner.token,
    });
    expect(result.status, JSON.stringify(result.error)).toBe(200);
    expect(result.data.report.tokenValid).toBe(true);
    expect(result.data.channel.phoneNumbers).toEqual([
      expect.objectContaining({
        phoneNumberId: '420000000000001',
        throughputMps: 80,
        qualityRating: expect.any(String),
      }),
    ]);
    expect(result.data.channel.webhookUrl).toMatch(/\/webhooks\/whatsapp\/[a-z2-7]{32}$/);
    const everything = JSON.stringify(
      await call(parley.app, 'query', 'channel.list', undefined, { cookie: owner.token }),
    );
    for (const secret of [appSecret, 'e2e-verify-token', simulator.accessToken])
      expect(everything).not.toContain(secret);

    const test = await call(
      parley.app,
      'mutation',
      'channel.test',
      { channelId: result.data.channel.id },
      { cookie: owner.token },
    );
    expect(test.data).toMatchObject({
      tokenValid: true,
      phoneNumbers: [expect.objectContaining({ phoneNumberId: '420000000000001' })],
    });
  });

  it('a WABA (and its numbers) belongs to one workspace only', async () => {
    const other = await signUpViaHttp(parley.app);
    const result = await call(parley.app, 'mutation', 'channel.connect', connectInput(), {
      cookie: other.token,
    });
    expect(result.status).toBe(409);
  });
});
