// @lab/web's server side: the built storefront from memory, CORS preflights, and the headers targets add.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROUTES } from '@lab/contract';
import { CORS_HEADERS, loadAssets, preflight, uiBuilt, webAsset, webPaths } from '../src/index.js';

describe('webAsset (the built storefront)', () => {
  test('the storefront is built and / is its index.html', () => {
    assert.ok(uiBuilt(), 'dist/ui/index.html is missing: run `npm run build -w implementations/web`');
    const r = webAsset('GET', '/');
    assert.ok(r);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.equal(r.headers['content-length'], String(r.body!.length));
    assert.deepEqual(webAsset('GET', '/index.html')?.body, r.body);
  });

  test('every file index.html references is served, with its type and a long cache for hashed names', () => {
    const html = webAsset('GET', '/')!.body!.toString('utf8');
    const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(
      refs.some((p) => p.endsWith('.js')),
      `no script in ${html}`,
    );
    assert.ok(
      refs.some((p) => p.endsWith('.css')),
      `no stylesheet in ${html}`,
    );
    for (const p of refs) {
      const r = webAsset('GET', p);
      assert.ok(r, p);
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type']!, p.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    }
  });

  test('webPaths lists exactly what webAsset answers', () => {
    const paths = webPaths();
    assert.ok(paths.includes('/') && paths.includes('/index.html'));
    assert.ok(paths.some((p) => p.startsWith('/assets/')));
    for (const p of paths) assert.equal(webAsset('GET', p)?.status, 200, p);
  });

  test('HEAD has the headers and no body; other methods and unknown paths are null (the caller 404s)', () => {
    const head = webAsset('HEAD', '/');
    assert.ok(head);
    assert.equal(head.body, undefined);
    assert.equal(head.headers['content-length'], webAsset('GET', '/')!.headers['content-length']);
    for (const [method, path] of [
      ['POST', '/'],
      ['DELETE', '/'],
      ['GET', '/nope'],
      ['GET', '/api'],
      ['GET', '/assets/'],
      ['GET', '/.vite/manifest.json'],
      ['GET', '/images/products/1.jpg'],
      ['GET', '/../package.json'],
    ] as const) {
      assert.equal(webAsset(method, path), null, `${method} ${path}`);
    }
  });

  test('answers are copies: a server that adds a header cannot alter the next answer', () => {
    const a = webAsset('GET', '/')!;
    a.headers['x-added'] = '1';
    assert.equal(webAsset('GET', '/')!.headers['x-added'], undefined);
  });

  test('without a build, / explains how to build it (503) and nothing else is served', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-web-'));
    try {
      const none = loadAssets(join(dir, 'missing'));
      assert.equal(none.get('/')!.get.status, 503);
      assert.match(none.get('/')!.get.body!.toString(), /npm run build/);
      assert.equal(none.size, 1);
      mkdirSync(join(dir, 'ui', 'assets'), { recursive: true });
      mkdirSync(join(dir, 'ui', '.vite'));
      writeFileSync(join(dir, 'ui', 'index.html'), '<!doctype html><title>x</title>');
      writeFileSync(join(dir, 'ui', 'assets', 'a-1.js'), 'export {};');
      writeFileSync(join(dir, 'ui', '.vite', 'manifest.json'), '{}');
      const some = loadAssets(join(dir, 'ui'));
      assert.deepEqual([...some.keys()].sort(), ['/', '/assets/a-1.js', '/index.html']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CORS', () => {
  test('API responses allow any origin and expose server-timing', () => {
    assert.deepEqual(
      { ...CORS_HEADERS },
      {
        'access-control-allow-origin': '*',
        'access-control-expose-headers': 'server-timing',
        'timing-allow-origin': '*',
      },
    );
    assert.ok(Object.isFrozen(CORS_HEADERS));
  });

  test('OPTIONS on every contract path is a 204 allowing its methods and a JSON body', () => {
    for (const r of ROUTES) {
      const path = r.template.replace(/\{[^}]+\}/g, 'x1');
      const p = preflight('OPTIONS', path);
      assert.ok(p, path);
      assert.equal(p.status, 204);
      assert.equal(p.body, undefined);
      assert.equal(p.headers['access-control-allow-origin'], '*');
      assert.ok(p.headers['access-control-allow-methods']!.split(', ').includes(r.method), path);
      assert.equal(p.headers['access-control-allow-headers'], 'content-type');
    }
    assert.equal(
      preflight('OPTIONS', '/api/carts/abc/items')!.headers['access-control-allow-methods'],
      'POST, OPTIONS',
    );
    assert.equal(
      preflight('OPTIONS', '/api/carts/abc')!.headers['access-control-allow-methods'],
      'GET, OPTIONS',
    );
  });

  test('anything else is not a preflight', () => {
    for (const [method, path] of [
      ['GET', '/api/home'],
      ['POST', '/api/carts'],
      ['OPTIONS', '/'],
      ['OPTIONS', '/nope'],
      ['OPTIONS', '/api/carts/'],
      ['OPTIONS', '/api/products'],
      ['OPTIONS', '/api/carts/a/items/b'],
    ] as const) {
      assert.equal(preflight(method, path), null, `${method} ${path}`);
    }
  });
});
