/**
 * Scenario 12: seed time through the real launcher (the reference server in a profile of its own, started at
 * two scales), and the table and log-log charts rendered from run files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Lab } from '../src/lab/launcher.js';
import { renderSvg } from '../src/report/charts.js';
import { refusedScales } from '../src/scale/preflight.js';
import {
  renderRefused,
  renderScaleComparison,
  renderScaleTable,
  type ScaleRunFile,
  scalePoints,
  scaleSpec,
} from '../src/scale/report.js';
import { startAtScale } from '../src/scale/seed-time.js';
import { repoRoot } from '../src/lib/env-file.js';
import { scaleRunFixture } from './helpers.js';
import { referenceLabFixture } from './helpers-lab-fixture.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('seed time: a start at another scale is a seed, at the same scale it is not', async () => {
  const fx = await referenceLabFixture('no');
  dirs.push(fx.root);
  const log = () => undefined;
  const target = new Lab({ root: fx.root, log }).compose.targets[0]!;
  try {
    const first = await startAtScale(fx.root, target, 1, log);
    assert.equal(first.previousScale, null);
    assert.equal(first.seeded, null, 'unknown: nothing says what the data dir held');
    const second = await startAtScale(fx.root, target, 2, log);
    assert.deepEqual([second.previousScale, second.seeded], [1, true]);
    assert.ok(second.upSeconds > 0);
    const body = (await (await fetch(`${fx.url}/api/search?q=a`)).json()) as { total: number };
    assert.ok(body.total >= 0, 'serves at scale 2');
    const third = await startAtScale(fx.root, target, 2, log);
    assert.equal(third.seeded, false);
  } finally {
    await new Lab({ root: fx.root, log }).down(undefined, { quiet: true });
  }
});

function stats(median: number) {
  return { n: 3, median, mean: median, stddev: 0, cv: 0, ci95: null, min: median, max: median };
}

test('table and log-log charts from scale.json and the benchmark summaries', async () => {
  const results = mkdtempSync(join(tmpdir(), 'lab-scale-'));
  dirs.push(results);
  for (const [scale, p99] of [
    [1, 2],
    [10, 9],
  ] as const) {
    mkdirSync(join(results, `s${scale}`));
    const cell = {
      target: 'reference',
      scenario: '03-pdp',
      steps: [
        {
          stats: {
            p50: stats(1),
            p99: stats(p99),
            cpuPer1kReq: stats(0.1 * scale),
            peakMemoryMiB: stats(80),
          },
        },
      ],
    };
    writeFileSync(join(results, `s${scale}`, 'summary.json'), JSON.stringify({ cells: [cell] }));
  }
  const file: ScaleRunFile = {
    scenario: '12-data-scale',
    target: 'reference',
    scenarios: ['01-04'],
    scales: [
      { scale: 1, previousScale: 10, upSeconds: 0.5, seeded: true, runId: 's1' },
      { scale: 10, previousScale: 1, upSeconds: 2.5, seeded: true, runId: 's10' },
      { scale: 100, previousScale: 10, upSeconds: 30, seeded: true, runId: null },
    ],
  };
  const points = scalePoints(results, file);
  const table = renderScaleTable(points);
  assert.match(table, /\| 03-pdp \| 10 \(12,000\) \| 1\.00 \| 9\.00 \| 1\.00 \| 80\.00 \|/);
  assert.match(table, /\| 100 \(120,000\) \| 30\.00 \|/);
  const svg = await renderSvg(scaleSpec('p99', points, 'p99 ms'));
  assert.match(svg, /^<svg/);
  assert.match(svg, /products \(log\)/);
});

test("a scale micro's database server cannot hold is refused before anything starts, with the server's reason", async () => {
  const root = repoRoot();
  const log = () => undefined;
  const micro = new Lab({ root, log }).compose.targets.find((t) => t.name === 'micro')!;
  const before = process.env['LAB_MONGO_SERVER'];
  process.env['LAB_MONGO_SERVER'] = 'mongo-java-server';
  try {
    const refused = await refusedScales(root, micro, [1, 100], log);
    assert.deepEqual(
      refused.map((r) => r.scale),
      [100],
    );
    assert.match(refused[0]!.reason, /does not fit the mongo service's memory share/);
    assert.match(refused[0]!.reason, /LAB_MONGO_SERVER=ferretdb/);
  } finally {
    if (before === undefined) delete process.env['LAB_MONGO_SERVER'];
    else process.env['LAB_MONGO_SERVER'] = before;
  }
});

test('a scale command whose every scale is refused exits 2 with the reason, before any run directory exists', () => {
  const root = repoRoot();
  const resultsDir = mkdtempSync(join(tmpdir(), 'lab-scale-refused-'));
  dirs.push(resultsDir);
  const r = spawnSync(
    './run-benchmark.sh',
    ['scale', 'micro', '--scales', '100', '--results-dir', resultsDir, '--run-id', 'refused'],
    {
      cwd: root,
      env: { ...process.env, LAB_NO_BUILD: '1', LAB_MONGO_SERVER: 'mongo-java-server' },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /micro cannot run any of the scales asked for:\n {2}mongo-java-server keeps every document/,
  );
  assert.ok(!existsSync(join(resultsDir, 'refused')), 'no run directory');
});

test('several targets side by side: a refused scale is "not run" in its column, with its reason under the table', () => {
  const results = mkdtempSync(join(tmpdir(), 'lab-scale-cmp-'));
  dirs.push(results);
  const runs = [
    scaleRunFixture(results, 'h', 'harper', [1, 10, 100]),
    scaleRunFixture(results, 'm', 'micro', [1, 10], [{ scale: 100, reason: 'too big for its heap' }]),
  ].map((file) => ({ file, points: scalePoints(results, file) }));
  const text = renderScaleComparison(runs);
  assert.match(text, /\| scenario \| scale \(products\) \| harper \| micro \|/);
  assert.match(text, /\*\*CPU ms per request\*\*[^]*\| 03-pdp \| 10 \(12,000\) \| 1\.00 \| 1\.00 \|/);
  assert.match(text, /\| 03-pdp \| 100 \(120,000\) \| 10\.00 \| not run \|/);
  assert.match(text, /\| start incl\. seed, s \| 100 \(120,000\) \| 100 \| not run \|/);
  assert.match(text, /^micro: Scale 100 \(120,000\) not run: too big for its heap\.$/m);
  assert.equal(renderRefused(runs[0]!.file), '', 'nothing refused, nothing said');
});
