import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confirmedOrders, type K6Samples, parseSampleLine } from '../src/faults/k6-samples.js';
import { analyseRecovery } from '../src/faults/recovery.js';

const T0 = Date.parse('2026-12-04T17:00:00Z');

/** A request of `route` that started `startMs` after T0 and took `ms`. */
function req(route: string, startMs: number, ms: number, ok = true, status = ok ? 200 : 0) {
  return { endMs: T0 + startMs + ms, durationMs: ms, ok, route, status, product: null, quantity: null };
}

test('k6 JSON lines: requests with route, status and flow tags; dropped iterations; other metrics ignored', () => {
  const s: K6Samples = { requests: [], dropped: [] };
  const point = (metric: string, value: number, tags: Record<string, string>) =>
    JSON.stringify({ type: 'Point', metric, data: { time: '2026-12-04T17:00:01.250123456Z', value, tags } });
  parseSampleLine(
    point('http_req_duration', 3.5, {
      name: 'checkout',
      status: '201',
      expected_response: 'true',
      product: '17',
      quantity: '2',
    }),
    s,
  );
  parseSampleLine(
    point('http_req_duration', 0.2, { name: 'pdp', status: '0', expected_response: 'false' }),
    s,
  );
  parseSampleLine(point('http_req_waiting', 3, { name: 'pdp' }), s);
  parseSampleLine(point('dropped_iterations', 1, {}), s);
  parseSampleLine('{"type":"Metric","data":{"name":"http_reqs"}}', s);
  assert.equal(s.requests.length, 2);
  assert.equal(s.requests[0]!.endMs, Date.parse('2026-12-04T17:00:01.250Z'));
  assert.deepEqual(s.dropped, [Date.parse('2026-12-04T17:00:01.250Z')]);
  assert.deepEqual(confirmedOrders(s), [{ product: 17, quantity: 2 }]);
  assert.equal(s.requests[1]!.ok, false);
});

test('a kill: failures until the restart, first success per route, SLO held after', () => {
  const requests = [];
  for (let t = -2000; t < 6000; t += 100) {
    const down = t >= 0 && t < 1200;
    requests.push(req('pdp', t, down ? 1 : 5, !down));
    requests.push(req('home', t + 50, 4));
  }
  const r = analyseRecovery({ requests, dropped: [T0 + 300] }, { atMs: T0, backMs: T0 + 1100 }, 50);
  assert.equal(r.during.failed, 12);
  assert.equal(r.during.toMs, 1101, 'the fault lasts until the last failure');
  assert.equal(r.timeToFirstSuccessMs, 1205, 'the slowest route decides');
  assert.equal(r.timeToSloMs, 1500, 'first 500 ms window with no failure that holds');
  assert.equal(r.requestsLost, 13, 'failures plus dropped iterations after the fault');
});

test('a pause: no failure, but p99 stays high until the backlog drains; one noisy window does not undo it', () => {
  const requests = [];
  for (let t = -1000; t < 8000; t += 50) {
    const stalled = t >= 0 && t < 2000;
    requests.push(req('pdp', t, stalled ? 2000 - t : t === 6000 ? 300 : 5));
  }
  const r = analyseRecovery({ requests, dropped: [] }, { atMs: T0, backMs: T0 + 2000 }, 50);
  assert.equal(r.during.failed, 0);
  assert.equal(r.timeToFirstSuccessMs, 2000);
  assert.equal(r.timeToSloMs, 2000);
  assert.equal(
    analyseRecovery({ requests: [], dropped: [] }, { atMs: T0, backMs: null }, 50).timeToFirstSuccessMs,
    null,
  );
});
