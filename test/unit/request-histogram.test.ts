import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { RequestHistogram } from '../../src/platform/request-histogram.ts';

const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const name = 'mamori_http_request_duration_seconds';
const help = 'Time to answer a request';
// Below the first bound, exactly on bounds, between them, above the last one, in three series.
const observations: [string, string, string, number][] = [
  ['POST', '/sign-in', '3xx', 0.0004],
  ['POST', '/sign-in', '3xx', 0.0025],
  ['POST', '/sign-in', '3xx', 0.017],
  ['POST', '/sign-in', '4xx', 0.3],
  ['GET', '/account', '2xx', 2.5],
  ['GET', '/account', '2xx', 7],
  ['POST', '/sign-in', '3xx', 0.0025],
];

function both() {
  const theirs = new Registry();
  const histogram = new Histogram({
    name,
    help,
    buckets,
    labelNames: ['method', 'route', 'status'],
    registers: [theirs],
  });
  const ours = new Registry();
  const mine = new RequestHistogram({ name, help, buckets, registry: ours });
  for (const [method, route, status, seconds] of observations) {
    histogram.observe({ method, route, status }, seconds);
    mine.record(method, route, status, seconds);
  }
  return { theirs, ours, mine };
}

describe('the request histogram', () => {
  it("writes what prom-client's Histogram writes for the same observations", async () => {
    const { theirs, ours } = both();
    const text = await ours.metrics();
    assert.equal(text, await theirs.metrics());
    assert.match(text, /mamori_http_request_duration_seconds_count\{method="POST",route="\/sign-in",status="3xx"\} 4/);
    assert.match(text, /_bucket\{le="0.0025",method="POST",route="\/sign-in",status="3xx"\} 3/);
    assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
  });

  it('starts again from nothing when the registry is reset', async () => {
    const { ours, mine } = both();
    ours.resetMetrics();
    mine.record('GET', '/', '2xx', 0.003);
    const text = await ours.metrics();
    assert.match(text, /_count\{method="GET",route="\/",status="2xx"\} 1/);
    assert.doesNotMatch(text, /sign-in/);
  });
});
