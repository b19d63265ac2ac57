import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import { compare, stars, welchTest } from '../src/stats/compare.js';
import { describe, tQuantile } from '../src/stats/describe.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} is not within ${tol} of ${b}`);

suite('statistics over runs (known values)', () => {
  test('Student t quantiles match the tables', () => {
    close(tQuantile(0.95, 1), 12.7062, 1e-4, 't(0.975, 1)');
    close(tQuantile(0.95, 4), 2.7764, 1e-4, 't(0.975, 4)');
    close(tQuantile(0.95, 9), 2.2622, 1e-4, 't(0.975, 9)');
    close(tQuantile(0.95, 30), 2.0423, 1e-4, 't(0.975, 30)');
    close(tQuantile(0.99, 9), 3.2498, 1e-4, 't(0.995, 9)');
  });

  test('median, mean, stddev, CV and the t-based 95% CI of 1..5', () => {
    const d = describe([3, 1, 5, 2, 4])!;
    assert.equal(d.n, 5);
    assert.equal(d.median, 3);
    assert.equal(d.mean, 3);
    close(d.stddev, Math.sqrt(2.5), 1e-12, 'sample sd');
    close(d.cv!, Math.sqrt(2.5) / 3, 1e-12, 'cv');
    // 3 ± 2.776445 × 1.581139 / √5 = 3 ± 1.963243
    close(d.ci95![0], 1.036757, 1e-5, 'ci low');
    close(d.ci95![1], 4.963243, 1e-5, 'ci high');
    assert.equal(d.min, 1);
    assert.equal(d.max, 5);
  });

  test('one run: no spread, no interval; no runs: nothing', () => {
    const d = describe([7])!;
    assert.equal(d.stddev, 0);
    assert.equal(d.ci95, null);
    assert.equal(describe([]), null);
    assert.equal(describe([0, 0])!.cv, null);
  });

  test("Welch's t-test: the textbook example (t = −2.46, df ≈ 24.99, p ≈ 0.021)", () => {
    const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const w = welchTest(a, b)!;
    close(w.t, -2.4554, 1e-4, 't');
    close(w.df, 24.9885, 1e-3, 'df');
    close(w.p, 0.02138, 1e-4, 'p');
    assert.equal(stars(w.p), '*');
  });

  test('Welch on clearly different and identical samples', () => {
    const w = welchTest([10, 11, 10.5, 10.2], [20, 21, 20.4, 19.8])!;
    assert.ok(w.p < 0.001);
    assert.equal(stars(w.p), '***');
    const same = welchTest([5, 6, 7], [5, 6, 7])!;
    assert.equal(same.t, 0);
    close(same.p, 1, 1e-12, 'p of identical samples');
    assert.equal(welchTest([1], [2, 3]), null);
  });

  test('ratio of means with a delta-method CI on the log scale', () => {
    const a = [200, 210, 190, 205, 195];
    const b = [100, 105, 95, 102, 98];
    const c = compare(a, b)!;
    close(c.ratio, 2, 1e-12, 'ratio');
    // se² = var_a/(n m_a²) + var_b/(n m_b²); df by Welch–Satterthwaite; CI = exp(ln 2 ± t·se)
    const va = 62.5;
    const vb = 14.5;
    const ta = va / (5 * 200 ** 2);
    const tb = vb / (5 * 100 ** 2);
    const se = Math.sqrt(ta + tb);
    const df = (ta + tb) ** 2 / (ta ** 2 / 4 + tb ** 2 / 4);
    const t = tQuantile(0.95, df);
    close(c.ci95![0], 2 * Math.exp(-t * se), 1e-9, 'ci low');
    close(c.ci95![1], 2 * Math.exp(t * se), 1e-9, 'ci high');
    assert.ok(c.ci95![0] < 2 && c.ci95![1] > 2);
    assert.equal(c.stars, '***');
    const flat = compare([3, 3, 3], [3, 3, 3])!;
    assert.equal(flat.ratio, 1);
    assert.deepEqual(flat.ci95, [1, 1]);
  });
});
