import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InterpolationError, interpolate, interpolateTree } from '../src/lab/interpolate.js';

const env = { A: 'a', EMPTY: '', N: '2048m' };

test('compose interpolation forms', () => {
  assert.equal(interpolate('x${A}y$A', env), 'xaya');
  assert.equal(interpolate('$$A and $${A}', env), '$A and ${A}');
  assert.equal(interpolate('${MISSING:-d}', env), 'd');
  assert.equal(interpolate('${EMPTY:-d}', env), 'd');
  assert.equal(interpolate('${EMPTY-d}', env), '');
  assert.equal(interpolate('${MISSING-d}', env), 'd');
  assert.equal(interpolate('${A:+alt}', env), 'alt');
  assert.equal(interpolate('${EMPTY:+alt}', env), '');
  assert.equal(interpolate('${EMPTY+alt}', env), 'alt');
  assert.equal(interpolate('${MISSING:-${A}-${N}}', env), 'a-2048m');
  assert.equal(interpolate('cost: $5', env), 'cost: $5');
});

test('unset variables and bad syntax are errors that name the place', () => {
  assert.throws(
    () => interpolate('${MISSING}', env, 'services.x.cpuset'),
    /services\.x\.cpuset: variable MISSING is not set/,
  );
  assert.throws(() => interpolate('${EMPTY:?must be set}', env), /EMPTY: must be set/);
  assert.throws(() => interpolate('${A', env), InterpolationError);
  assert.throws(() => interpolate('${A:x}', env), /bad substitution/);
});

test('a tree: values are interpolated, keys are not', () => {
  assert.deepEqual(interpolateTree({ '${A}': ['${A}', 1, { k: '$N' }] }, env), {
    '${A}': ['a', 1, { k: '2048m' }],
  });
});
