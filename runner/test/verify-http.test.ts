/**
 * The verify suite's one HTTP call (send): what it reports of an answer, what it sends (and does not add), and how
 * a refused connection or a silent server becomes status 0 with the reason as text. Against a node:http server
 * on a free loopback port.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { send } from '../src/verify/http.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('send', () => {
  const seen: Seen[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/echo') {
        res.writeHead(201, {
          'content-type': 'application/json; charset=utf-8',
          'server-timing': 'db;dur=1.5',
          'X-Lab-Case': 'Mixed',
        });
        res.end(JSON.stringify({ method: req.method, url: req.url }));
      } else if (path === '/moved') {
        res.writeHead(302, { location: '/echo' });
        res.end();
      } else if (path === '/hang') {
        hanging.push(res);
      } else if (path === '/half') {
        // Headers and a first part of the body, then nothing: the answer never completes.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first part');
        hanging.push(res);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no such thing');
      }
    });
  });
  let base = '';

  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('reports status, content type, Server-Timing, every header (lower-case) and the body text', async () => {
    seen.length = 0;
    const r = await send(base, { method: 'GET', url: '/echo?q=a%20b&page=2' }, 30_000);
    assert.equal(r.status, 201);
    assert.equal(r.contentType, 'application/json; charset=utf-8');
    assert.equal(r.serverTiming, 'db;dur=1.5');
    assert.equal(r.headers['x-lab-case'], 'Mixed');
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.ok(!('X-Lab-Case' in r.headers), 'header names are lower-case');
    assert.deepEqual(JSON.parse(r.text), { method: 'GET', url: '/echo?q=a%20b&page=2' });
    assert.ok(Number.isFinite(r.ms) && r.ms >= 0, `ms: ${r.ms}`);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.url, '/echo?q=a%20b&page=2', 'path and query appended to the base URL as given');
  });

  test('no Server-Timing or content type: null, not an empty string', async () => {
    const r = await send(base, { method: 'GET', url: '/moved' }, 30_000);
    assert.equal(r.contentType, null);
    assert.equal(r.serverTiming, null);
  });

  test('an error status is an answer like any other: its status and body, not status 0', async () => {
    const r = await send(base, { method: 'GET', url: '/nowhere' }, 30_000);
    assert.equal(r.status, 404);
    assert.equal(r.text, 'no such thing');
    assert.equal(r.contentType, 'text/plain');
  });

  test('a string body is sent byte for byte, with no content type added', async () => {
    seen.length = 0;
    const body = '{"productId":1,"quantity":2,"note":"é"}';
    await send(base, { method: 'POST', url: '/echo', body }, 30_000);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.method, 'POST');
    assert.equal(seen[0]!.body, body);
    assert.equal(seen[0]!.headers['content-length'], String(Buffer.byteLength(body)));
    assert.equal(seen[0]!.headers['content-type'], undefined, 'fetch would say text/plain for a string');
  });

  test("the caller's headers are sent as given", async () => {
    seen.length = 0;
    await send(
      base,
      {
        method: 'PUT',
        url: '/echo',
        headers: { 'content-type': 'application/json', 'x-admin-token': 'secret' },
        body: '{}',
      },
      30_000,
    );
    assert.equal(seen[0]!.method, 'PUT');
    assert.equal(seen[0]!.headers['content-type'], 'application/json');
    assert.equal(seen[0]!.headers['x-admin-token'], 'secret');
    assert.equal(seen[0]!.body, '{}');
  });

  test('a redirect is reported, not followed', async () => {
    seen.length = 0;
    const r = await send(base, { method: 'GET', url: '/moved' }, 30_000);
    assert.equal(r.status, 302);
    assert.equal(r.headers['location'], '/echo');
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/moved'],
    );
  });

  test('a refused connection is status 0 with the network error as text', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await send(`http://127.0.0.1:${port}`, { method: 'GET', url: '/health' }, 30_000);
    assert.equal(r.status, 0);
    assert.match(r.text, /ECONNREFUSED/);
    assert.equal(r.contentType, null);
    assert.equal(r.serverTiming, null);
    assert.deepEqual(r.headers, {});
  });

  test('no answer within the timeout is status 0, saying so', async () => {
    const r = await send(base, { method: 'GET', url: '/hang' }, 300);
    assert.equal(r.status, 0);
    assert.equal(r.text, 'no answer within 300 ms');
    assert.deepEqual(r.headers, {});
  });

  test('a body that never completes within the timeout is status 0 too, saying which status came first', async () => {
    const r = await send(base, { method: 'GET', url: '/half' }, 300);
    assert.equal(r.status, 0);
    assert.equal(r.text, 'answered 200, then its body did not arrive within 300 ms');
  });
});
