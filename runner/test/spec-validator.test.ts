import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errors, MESSAGES, parseSearchQuery, readOpenApiText, STATUS_BY_CODE } from '@lab/contract';
import { parse } from 'yaml';
import { SpecValidator } from '../src/verify/spec-validator.js';

const spec = new SpecValidator();

test('every error the contract package can build is valid against the Error schema', () => {
  const built = [
    errors.badRequest('x'),
    errors.unauthorized(),
    errors.routeNotFound(),
    errors.methodNotAllowed(),
    errors.categoryNotFound(),
    errors.productNotFound(),
    errors.cartNotFound(),
    errors.alreadyCheckedOut(),
    errors.emptyCart(),
    errors.insufficientStock(7),
    errors.serviceUnavailable('reviews'),
    errors.upstreamTimeout('pricing', 5000),
  ];
  for (const e of built) {
    assert.deepEqual(spec.validateSchema('Error', e.body), [], JSON.stringify(e.body));
    assert.equal(e.status, STATUS_BY_CODE[e.body.error.code]);
  }
  assert.equal(new Set(built.map((e) => e.body.error.code)).size, Object.keys(STATUS_BY_CODE).length);
});

test('the validator rejects what the spec forbids', () => {
  assert.notDeepEqual(spec.validateSchema('Error', { error: { code: 'teapot', message: 'x' } }), []);
  assert.notDeepEqual(
    spec.validateSchema('Error', { error: { code: 'not_found', message: 'x', extra: 1 } }),
    [],
  );
  assert.deepEqual(spec.validateResponse('/api/home', 'GET', 500, {}), [
    'the spec documents no 500 response for GET /api/home',
  ]);
  assert.equal(spec.hasJsonBody('/api/admin/reset', 'POST', 204), false);
});

test("the spec states search's rule: q matches its pattern exactly when the contract finds tokens in it", () => {
  const spec = parse(readOpenApiText()) as {
    paths: Record<string, { get: { parameters: { name: string; schema: { pattern: string } }[] } }>;
  };
  const q = spec.paths['/api/search']!.get.parameters.find((p) => p.name === 'q')!;
  const pattern = new RegExp(q.schema.pattern, 'u');
  for (const text of ['^', '---', ' ', 'é', '日本', '💡', 'a', 'Z', '7', '^a', 'lamp', '  x  ', 'é1', '_']) {
    const parsed = parseSearchQuery(`q=${encodeURIComponent(text)}`);
    const tokens = parsed.ok || parsed.message !== MESSAGES.qNoTokens;
    assert.equal(pattern.test(text), tokens, JSON.stringify(text));
  }
});
