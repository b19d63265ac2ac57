/** The formatting every table shares: numbers, shares, medians with their CI, markdown tables, range cells. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mdTable, num, pct, ratioNum, withCi } from '../src/report/format.js';
import { median, rangeCell } from '../src/resilience/cells.js';
import { describe } from '../src/stats/describe.js';

test('numbers: digits by size, a dash for what is not a number', () => {
  assert.equal(num(1234.5), '1,235');
  assert.equal(num(12.34), '12.3');
  assert.equal(num(1.234), '1.23');
  assert.equal(num(1.234, 0), '1');
  assert.equal(num(null), '–');
  assert.equal(num(Number.NaN), '–');
  assert.equal(pct(0.1234), '12.3%');
  assert.equal(pct(undefined), '–');
});

test('ratios: three decimals, three significant digits below 0.01 (never "0.000")', () => {
  assert.equal(ratioNum(17.26158), '17.262');
  assert.equal(ratioNum(0.0617), '0.062');
  assert.equal(ratioNum(0.000403123), '0.000403');
  assert.equal(ratioNum(-0.00123456), '-0.00123');
  assert.equal(ratioNum(0), '0.000');
  assert.equal(ratioNum(null), '–');
});

test('a median with the half-width of its 95% CI relative to the mean', () => {
  assert.equal(withCi(null), '–');
  assert.equal(withCi(describe([100])), '100');
  const d = describe([98, 100, 102])!;
  assert.match(withCi(d), /^100 ±[0-9.]+%$/);
});

test('markdown tables escape pipes and align numbers right', () => {
  assert.equal(mdTable(['a', 'b'], [['x|y', '1']]), '| a | b |\n|:---|---:|\n| x\\|y | 1 |');
});

test('resilience cells: median of what happened, its range, and how often it never did', () => {
  assert.equal(median([3, null, 1, 2]), 2);
  assert.equal(median([null]), null);
  assert.equal(rangeCell([1, 3, 2]), '2 (1–3)');
  assert.equal(rangeCell([1, null]), '1, 1 never');
  assert.equal(rangeCell([null, null]), 'never');
  assert.equal(rangeCell([2000, 2000]), '2,000', 'no range when every run agrees');
});
