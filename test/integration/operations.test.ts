import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';
import { attackerTakesOver, emailChangedReportLink, reportWithDefaults, STORY_ENV } from '../support/story.ts';

const TOKEN = 'scrape-token-0123456789-abcdefghijklmnop';

/**
 * For the operator (issue 16): liveness that asks the store, readiness that turns 503 when the instance
 * starts closing, and Prometheus metrics only for the scraper's token, with figures that move with the story.
 */
forEachStore('Operations endpoints', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store, { ...STORY_ENV, MAMORI_METRICS_TOKEN: TOKEN });
  });
  afterEach(() => m.close());

  const metrics = async (authorization?: string) =>
    m.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : undefined;
  };

  test('health and readiness answer from the store; metrics only with the token', async () => {
    const health = await m.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    assert.equal((await m.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    assert.equal((await metrics()).statusCode, 401);
    assert.equal((await metrics(`Bearer ${TOKEN.slice(0, -1)}x`)).statusCode, 401);
    assert.equal((await metrics(`Basic ${TOKEN}`)).statusCode, 401);
    const ok = await metrics(`Bearer ${TOKEN}`);
    assert.equal(ok.statusCode, 200);
    assert.match(String(ok.headers['content-type']), /text\/plain/);
    assert.match(ok.body, /mamori_process_resident_memory_bytes|mamori_process_heap/);
  });

  test('the story moves the figures: sign-in decisions, deliveries, the outbox, incidents by state, request durations', async () => {
    await attackerTakesOver(m);
    const before = (await metrics(`Bearer ${TOKEN}`)).body;
    assert.ok((value(before, 'mamori_sign_in_decisions_total{decision="allow"}') ?? 0) >= 2, 'owner and attacker');
    assert.ok((value(before, 'mamori_deliveries_total{channel="email",outcome="sent"}') ?? 0) >= 1);
    await reportWithDefaults(m, emailChangedReportLink(m));
    const queued = (await metrics(`Bearer ${TOKEN}`)).body;
    assert.ok((value(queued, 'mamori_outbox_messages{channel="email",status="queued"}') ?? 0) >= 1, queued);
    assert.equal(value(queued, 'mamori_incidents{state="waiting"}'), 1);
    await m.deliver();
    const delivered = (await metrics(`Bearer ${TOKEN}`)).body;
    assert.equal(value(delivered, 'mamori_outbox_messages{channel="email",status="queued"}'), undefined, 'all sent');
    assert.match(
      delivered,
      /mamori_http_request_duration_seconds_count\{method="POST",route="\/report",status="3xx"\} 1/,
    );
  });

  test('metrics are off without a token, and an instance that is closing is not ready', async () => {
    const off = await startMamori(store);
    try {
      assert.equal((await off.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
    } finally {
      await off.close();
    }
    const client = new TestClient(m.app);
    const closing = m.app.close();
    assert.equal((await client.get('/readyz')).statusCode, 503);
    await closing;
  });
});
