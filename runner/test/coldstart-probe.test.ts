/**
 * Scenario 11's prober (probe): against a node:http server on a free loopback port whose answers the test
 * scripts, request by request: not serving until a 200 with the exact body, then sequential samples at a pace
 * for the steady phase; a deadline, a failed start or a silent server end the asking. No assertion depends on
 * how fast this machine is (the test may be paused at any point): counts are compared with what the server saw.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { probe } from '../src/coldstart/probe.js';

const BODY = '{"id":174,"name":"Lamp","price":1999}';
/** Far beyond any pause of this process: the probe always ends by an answer, not by the deadline. */
const NO_DEADLINE = 3_600_000;

type Answer = { status: number; body: string } | 'hang';

interface Scripted {
  url: string;
  /** Every request the server received, in order (the answer it gave: "hang" for none). */
  answers: Answer[];
  /** The most requests that were in flight at once. */
  maxInFlight: () => number;
  server: Server;
}

const servers: Server[] = [];
const hung: ServerResponse[] = [];
after(async () => {
  for (const res of hung) res.destroy();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

/** A server that gives its n-th request (0-based) the answer `script(n)`. */
async function scripted(script: (n: number) => Answer): Promise<Scripted> {
  const answers: Answer[] = [];
  let inFlight = 0;
  let most = 0;
  const server = createServer((req, res) => {
    req.resume();
    const a = script(answers.length);
    answers.push(a);
    if (a === 'hang') {
      hung.push(res);
      return;
    }
    inFlight++;
    most = Math.max(most, inFlight);
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(a.body, () => inFlight--);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/products/174`,
    answers,
    maxInFlight: () => most,
    server,
  };
}

const ok = { status: 200, body: BODY };
const isOk = (a: Answer) => a !== 'hang' && a.status === 200 && a.body === BODY;

test('not serving until a 200 with the exact body: an error, a half-loaded and a padded body do not count', async () => {
  const before: Answer[] = [
    { status: 503, body: '' },
    { status: 200, body: BODY.slice(0, 10) },
    { status: 200, body: `${BODY}\n` },
    { status: 500, body: BODY },
  ];
  const s = await scripted((n) => before[n] ?? ok);
  const t0 = performance.now();
  const r = await probe({ url: s.url, expectedBody: BODY, t0, deadlineMs: NO_DEADLINE, steadyMs: 0 });
  assert.equal(r.attempts, 5);
  assert.equal(s.answers.length, 5, 'no steady phase asked for: no request after the first good one');
  assert.ok(r.firstOkMs !== null && r.firstOkMs >= 0 && r.firstOkMs <= performance.now() - t0);
  assert.deepEqual(r.samples, []);
});

test('the first good answer is timed from t0, not before the server started serving', async () => {
  let servingSince = null as number | null;
  const s = await scripted(() => (servingSince === null ? { status: 503, body: 'starting' } : ok));
  const t0 = performance.now();
  const opened = new Promise<void>((resolve) =>
    setTimeout(() => {
      servingSince = performance.now();
      resolve();
    }, 200),
  );
  const r = await probe({ url: s.url, expectedBody: BODY, t0, deadlineMs: NO_DEADLINE, steadyMs: 0 });
  await opened;
  assert.ok(r.firstOkMs !== null);
  assert.ok(r.firstOkMs >= servingSince! - t0, `${r.firstOkMs} ms, serving from ${servingSince! - t0} ms`);
  assert.equal(r.attempts, s.answers.length, 'one attempt per request');
  assert.equal(s.answers.filter(isOk).length, 1);
  assert.ok(isOk(s.answers.at(-1)!));
});

test('the steady phase: one request at a time, at the pace asked for, a sample per good answer', async () => {
  // Once serving, every third answer fails: those are not samples.
  const s = await scripted((n) =>
    n < 2 ? { status: 503, body: '' } : n % 3 === 0 ? { status: 502, body: '' } : ok,
  );
  const t0 = performance.now();
  const intervalMs = 40;
  const r = await probe({
    url: s.url,
    expectedBody: BODY,
    t0,
    deadlineMs: NO_DEADLINE,
    steadyMs: 1500,
    intervalMs,
  });
  assert.equal(r.attempts, 3);
  assert.ok(r.firstOkMs !== null);
  const steady = s.answers.slice(r.attempts);
  assert.ok(steady.length >= 1, 'asked again after the first good answer');
  assert.equal(
    r.samples.length,
    steady.filter(isOk).length,
    'a sample for each good answer, none for errors',
  );
  assert.equal(r.steadyFailures, steady.length - steady.filter(isOk).length, 'each error is counted');
  assert.ok(r.steadyFailures > 0);
  assert.equal(s.maxInFlight(), 1, 'sequential: one request in flight');
  for (const [i, x] of r.samples.entries()) {
    assert.ok(x.sentMs >= r.firstOkMs, 'sent after the first good answer');
    assert.ok(x.sentMs < r.firstOkMs + 1500, 'sent within the steady phase');
    assert.ok(x.latencyMs >= 0);
    // A timer may fire up to a millisecond early; a slow machine only makes the gaps longer.
    if (i > 0) assert.ok(x.sentMs - r.samples[i - 1]!.sentMs >= intervalMs - 2, `paced: sample ${i}`);
  }
});

test('never a good answer before the deadline: null, with every attempt counted and no samples', async () => {
  const s = await scripted(() => ({ status: 503, body: '' }));
  const r = await probe({
    url: s.url,
    expectedBody: BODY,
    t0: performance.now(),
    deadlineMs: 300,
    steadyMs: 1000,
  });
  assert.equal(r.firstOkMs, null);
  assert.deepEqual(r.samples, []);
  assert.ok(r.attempts >= 1);
  assert.equal(r.attempts, s.answers.length);
});

test('a deadline already past asks nothing', async () => {
  const s = await scripted(() => ok);
  const r = await probe({
    url: s.url,
    expectedBody: BODY,
    t0: performance.now() - 10_000,
    deadlineMs: 5_000,
    steadyMs: 1000,
  });
  assert.deepEqual(r, { firstOkMs: null, attempts: 0, samples: [], steadyFailures: 0 });
  assert.equal(s.answers.length, 0);
});

test('a failed start stops the asking at once', async () => {
  let failed = false;
  const s = await scripted((n) => {
    if (n === 1) failed = true;
    return { status: 503, body: '' };
  });
  const r = await probe({
    url: s.url,
    expectedBody: BODY,
    t0: performance.now(),
    deadlineMs: NO_DEADLINE,
    steadyMs: 1000,
    failed: () => failed,
  });
  assert.deepEqual(r, { firstOkMs: null, attempts: 2, samples: [], steadyFailures: 0 });
  assert.equal(s.answers.length, 2);
});

test('a request that gets no answer is given up on and asked again', async () => {
  const s = await scripted((n) => (n === 0 ? 'hang' : ok));
  const r = await probe({
    url: s.url,
    expectedBody: BODY,
    t0: performance.now(),
    deadlineMs: NO_DEADLINE,
    steadyMs: 0,
  });
  assert.equal(r.attempts, 2);
  assert.deepEqual(s.answers, ['hang', ok]);
  assert.ok(r.firstOkMs !== null);
});

test('nothing listening is not serving', async () => {
  const s = await scripted(() => ok);
  const url = s.url;
  s.server.closeAllConnections();
  await new Promise<void>((r) => s.server.close(() => r()));
  servers.splice(servers.indexOf(s.server), 1);
  const r = await probe({ url, expectedBody: BODY, t0: performance.now(), deadlineMs: 300, steadyMs: 1000 });
  assert.equal(r.firstOkMs, null);
  assert.ok(r.attempts >= 1);
  assert.deepEqual(r.samples, []);
});
