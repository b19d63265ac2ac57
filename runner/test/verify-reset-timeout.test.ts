/**
 * The verify suite's reset is an admin operation whose duration depends on what the last session left (carts and
 * orders to delete): it gets the benchmark loop's reset deadline, while every other check keeps the per-request
 * timeout. Against a node:http server on a free loopback port that answers the reset after 300 ms.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SpecValidator } from '../src/verify/spec-validator.js';
import { checkReset } from '../src/verify/suite.js';
import { Verifier } from '../src/verify/verifier.js';

const TOKEN = 'reset-test-token';

describe('verify: a slow reset', () => {
  const server = createServer((req, res) => {
    if (req.url === '/api/admin/reset' && req.headers['x-lab-token'] === TOKEN) {
      setTimeout(() => res.writeHead(204).end(), 300);
    } else if (req.url === '/api/admin/reset') {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{}');
    } else {
      setTimeout(() => res.writeHead(404).end(), 300);
    }
  });
  let baseUrl = '';
  const verifier = () =>
    new Verifier({
      baseUrl,
      adminToken: TOKEN,
      seed: 42,
      scale: 1,
      timeoutMs: 100,
      spec: new SpecValidator(),
    });

  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('the reset with the token passes although it takes longer than the per-request timeout', async () => {
    const v = verifier();
    assert.equal(await checkReset(v, TOKEN), true);
    const reset = v.checks.find((c) => c.name === 'reset with the token is 204');
    assert.ok(reset && reset.ms >= 250, `the reset took ${reset?.ms} ms`);
  });

  test('any other request slower than the per-request timeout still fails', async () => {
    const v = verifier();
    const r = await v.exchange(
      'x',
      'slow page',
      { method: 'GET', url: '/slow' },
      { expect: { kind: 'status', status: 404 } },
    );
    assert.equal(r.pass, false);
    assert.match(v.checks[0]!.detail, /no answer within 100 ms/);
  });
});
