/** The verify suite's report of a mismatch: the first differing JSON path, with both values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstDifference } from '../src/verify/diff.js';

test('equal values have no difference, key order included', () => {
  assert.equal(firstDifference({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] }), null);
  assert.equal(firstDifference(Number.NaN, Number.NaN), null);
});

test('the first differing path, depth first, in the expected key order', () => {
  assert.equal(firstDifference({ a: 1, b: 2 }, { a: 1, b: 3 }), '$.b: expected 2, got 3');
  assert.equal(firstDifference({ a: [1, 2] }, { a: [1, '2'] }), '$.a[1]: expected 2, got "2"');
  assert.equal(firstDifference([1, 2], [1]), '$: expected 2 items, got 1');
  assert.equal(firstDifference({ a: [] }, { a: {} }), '$.a: expected [], got {}');
});

test('missing, unexpected and reordered fields are named', () => {
  assert.equal(firstDifference({ a: 1, b: 2 }, { a: 1 }), '$.b: missing (expected 2)');
  assert.equal(firstDifference({ a: 1 }, { a: 1, id: 7 }), '$.id: unexpected field (7)');
  assert.equal(
    firstDifference({ a: 1, b: 2 }, { b: 2, a: 1 }),
    '$: key order differs: expected a,b, got b,a',
  );
});

test('long values are cut so a report line stays readable', () => {
  const d = firstDifference('x'.repeat(200), 'y')!;
  assert.ok(d.length < 200, d);
  assert.match(d, /\.\.\., got "y"$/);
});
