import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errors, STATUS_BY_CODE } from '@lab/contract';
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
