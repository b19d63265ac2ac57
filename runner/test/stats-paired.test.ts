import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compare } from '../src/stats/compare.js';
import { pairedRatio, roundsFor } from '../src/stats/paired.js';

const byRun = (xs: (number | null)[]) => new Map(xs.map((x, i) => [i + 1, x]));

describe('paired ratios over interleaved rounds', () => {
  test('a machine that drifts by 2x moves both targets: the paired ratio stays tight where Welch does not', () => {
    // A is always exactly 1.5x B; the machine's speed changes from round to round.
    const speed = [1, 2, 1.3, 0.7, 1.8, 1.1];
    const b = speed.map((s) => 1000 * s);
    const a = b.map((x) => x * 1.5);
    const p = pairedRatio(byRun(a), byRun(b))!;
    assert.equal(p.n, 6);
    assert.ok(Math.abs(p.ratio - 1.5) < 1e-12);
    assert.ok(p.halfWidth! < 1e-9, `paired half-width ${p.halfWidth}`);
    const w = compare(a, b)!;
    assert.ok((w.ci95![1] - w.ci95![0]) / 2 / w.ratio > 0.2, 'unpaired CI is wide');
  });

  test('textbook values: logs of the ratios, Student t with n - 1 df', () => {
    // ratios 1.1, 1.2, 1.3: logs mean m, sd s, t(0.975, 2) = 4.302653
    const logs = [1.1, 1.2, 1.3].map(Math.log);
    const m = logs.reduce((x, y) => x + y) / 3;
    const s = Math.sqrt(logs.reduce((acc, x) => acc + (x - m) ** 2, 0) / 2);
    const p = pairedRatio(byRun([1.1, 1.2, 1.3]), byRun([1, 1, 1]))!;
    assert.ok(Math.abs(p.ratio - Math.exp(m)) < 1e-12);
    const half = 4.302653 * (s / Math.sqrt(3));
    assert.ok(Math.abs(p.ci95![0] - Math.exp(m - half)) < 1e-5);
    assert.ok(Math.abs(p.ci95![1] - Math.exp(m + half)) < 1e-5);
    assert.ok(Math.abs(p.halfWidth! - Math.expm1(half)) < 1e-5, 'ratio ×/÷ (1 + halfWidth)');
  });

  test('rounds missing on either side are left out; one round gives no interval; none gives null', () => {
    const p = pairedRatio(byRun([2, null, 3]), byRun([1, 5, null]))!;
    assert.deepEqual([p.n, p.ratio, p.ci95, p.halfWidth, p.roundsForTarget], [1, 2, null, null, null]);
    assert.equal(pairedRatio(byRun([null]), byRun([1])), null);
    assert.equal(pairedRatio(byRun([0, 1]), byRun([1, 0])), null);
  });

  test('rounds needed for ±10%: the fewest n with t(n-1)·sd/√n ≤ ln 1.1', () => {
    // sd 0.1 of the logs: n = 6 gives 2.5706·0.1/√6 = 0.1049 > 0.0953; n = 7 gives 2.4469·0.1/√7 = 0.0925.
    assert.equal(roundsFor(0.1, 0.1), 7);
    assert.equal(roundsFor(0, 0.1), 2);
    assert.equal(roundsFor(10, 0.1), null, 'beyond a thousand rounds');
    // Consistent with the interval: more rounds than it has exactly when its CI is wider than ±10%.
    const p = pairedRatio(byRun([1.1, 1.2, 1.3, 1.15, 1.25]), byRun([1, 1, 1, 1, 1]))!;
    const need = p.roundsForTarget!;
    assert.ok(need > 5 === p.halfWidth! > 0.1, `${need} rounds vs ±${p.halfWidth}`);
  });
});
