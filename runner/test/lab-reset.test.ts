/** The one reset of a target's state, in its two readings: a running target's and a recovering one's. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ResetFailed, resetTarget } from '../src/lab/reset.js';

let server: Server;
let url: string;
const answers: number[] = [];
const tokens: string[] = [];
before(async () => {
  server = createServer((req, res) => {
    tokens.push(String(req.headers['x-lab-token']));
    res.writeHead(answers.shift() ?? 204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const failsWith = (pattern: RegExp) => (e: unknown) => e instanceof ResetFailed && pattern.test(String(e));

test('running: 204 is done and the token is sent; a 5xx is retried, a 4xx is final', async () => {
  answers.push(503, 204);
  await resetTarget(url, 'secret', 'running');
  assert.equal(answers.length, 0);
  assert.deepEqual(tokens.splice(0), ['secret', 'secret']);
  answers.push(404, 204);
  await assert.rejects(resetTarget(url, 't', 'running'), failsWith(/answered 404 \(attempt 1\)/));
  answers.splice(0);
});

test('running: a target that does not answer has died (no retry)', async () => {
  await assert.rejects(
    resetTarget('http://127.0.0.1:1', 't', 'running'),
    failsWith(/failed: .*\(attempt 1\)$/),
  );
});

test('recovering: any status but 204 and 401 is retried; a 401 is final in both modes', async () => {
  answers.push(404, 502, 204);
  await resetTarget(url, 't', 'recovering');
  assert.equal(answers.length, 0);
  for (const mode of ['running', 'recovering'] as const) {
    answers.push(401, 204);
    await assert.rejects(resetTarget(url, 't', mode), failsWith(/answered 401 \(attempt 1\)/));
    answers.splice(0);
  }
});

test('recovering: a target that does not answer yet is waited for', async () => {
  // Reserve a port, release it, then start listening there only after the first attempt has failed.
  const late = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((r) => late.listen(0, '127.0.0.1', r));
  const port = (late.address() as AddressInfo).port;
  await new Promise<void>((r) => late.close(() => r()));
  const pending = resetTarget(`http://127.0.0.1:${port}`, 't', 'recovering');
  await new Promise((r) => setTimeout(r, 300));
  await new Promise<void>((r) => late.listen(port, '127.0.0.1', r));
  try {
    await pending;
  } finally {
    await new Promise<void>((r) => late.close(() => r()));
  }
});
