import { describe, expect, it } from 'vitest';
import { connectTestChannel, customerWritesText, processed } from '../test/channels.ts';
import { setupTestApp } from '../test/app.ts';
import { createTenant } from '../test/factories.ts';

const token = 'a-metrics-token-long-enough';
const parley = setupTestApp({ workers: true, env: { METRICS_TOKEN: token } });

describe('GET /metrics', () => {
  it('refuses a scrape without the token', async () => {
    const none = await parley.app.inject({ method: 'GET', url: '/metrics' });
    expect(none.statusCode).toBe(401);
    const wrong = await parley.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer a-metrics-token-long-enougH' },
    });
    expect(wrong.statusCode).toBe(401);
  });

  it('exposes request latency by route, webhook ingest, queues with their oldest job, subscribers (real HTTP)', async () => {
    const tenantId = (await createTenant(parley.db.pools.owner)).id;
    const channel = await connectTestChannel(parley.app, tenantId, {
      wabaId: '310000000000001',
      phoneNumberId: '420000000000001',
      displayPhoneNumber: '15550101010',
    });
    const base = await parley.app.listen({ port: 0, host: '127.0.0.1' });
    // A webhook over real HTTP takes the fast path in front of Fastify.
    await customerWritesText(parley.app, channel, '15550123456', 'metrics please');
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const { createHmac } = await import('node:crypto');
    const signature = `sha256=${createHmac('sha256', channel.appSecret).update(body).digest('hex')}`;
    const posted = await fetch(`${base}/webhooks/whatsapp/${channel.appKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body,
    });
    expect(posted.status).toBe(200);
    await processed(parley.app);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const scrape = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const text = await scrape.text();
    expect(text).toMatch(
      /parley_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/,
    );
    expect(text).toMatch(/parley_webhook_ingest_duration_seconds_count [1-9]/);
    expect(text).toMatch(/parley_queue_depth\{queue="webhook\.process",state="ready"\} \d+/);
    expect(text).toMatch(/parley_queue_oldest_job_age_seconds\{queue="message\.send"\} [\d.]+/);
    expect(text).toMatch(/parley_realtime_subscribers \d+/);
    expect(text).toContain('# TYPE parley_graph_send_errors_total counter');
    // Route patterns, never raw URLs with ids.
    expect(text).not.toContain(channel.appKey);
  });
});
