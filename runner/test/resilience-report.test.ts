/** docs/resilience-results.md from run files: a cold-start run and a scale run, charts copied beside it. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RESILIENCE_MANIFEST } from '../src/resilience/manifest.js';
import { renderResilienceReport } from '../src/resilience/report.js';
import type { ScaleRunFile } from '../src/scale/report.js';
import { coldStartFile, resilienceManifest, scaleRunFixture } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'lab-rreport-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('sections per scenario from the named runs; an unknown kind of run is a clear error', async () => {
  const results = join(root, 'results');
  const cold = join(results, 'c1', 'mono', '11-cold-start');
  mkdirSync(cold, { recursive: true });
  const m = resilienceManifest({
    runId: 'c1',
    command: './run-benchmark.sh cold-start mono',
    components: { database: 'PostgreSQL 15' },
  });
  writeFileSync(join(results, 'c1', RESILIENCE_MANIFEST), JSON.stringify(m));
  writeFileSync(join(cold, 'crash-01.json'), JSON.stringify(coldStartFile(1, 2500)));
  const scale: ScaleRunFile = {
    scenario: '12-data-scale',
    target: 'mono',
    scenarios: ['01-04'],
    scales: [{ scale: 1, previousScale: null, upSeconds: 3, seeded: null, runId: null }],
  };
  mkdirSync(join(results, 's1'));
  writeFileSync(join(results, 's1', 'scale.json'), JSON.stringify(scale));
  writeFileSync(join(results, 's1', 'mono-p99-ms.svg'), '<svg/>');
  const out = await renderResilienceReport({ root, resultsRoot: results, runIds: ['s1', 'c1'] });
  const text = readFileSync(out, 'utf8');
  assert.ok(text.indexOf('## 11-cold-start') < text.indexOf('## 12-data-scale'), 'scenarios in order');
  assert.match(text, /\| mono \| after SIGKILL \| 1 \| 2,500 \| 2,600 \|/);
  assert.match(text, /PostgreSQL 15/);
  assert.match(text, /\| 1 \(1,200\) \| 3\.00 \|/);
  assert.ok(existsSync(join(root, 'docs', 'resilience-results', 'mono-p99-ms.svg')));
  assert.match(text, /!\[mono-p99-ms\.svg\]\(resilience-results\/mono-p99-ms\.svg\)/);
  mkdirSync(join(results, 'x'));
  await assert.rejects(
    () => renderResilienceReport({ root, resultsRoot: results, runIds: ['x'] }),
    /neither a resilience run/,
  );
});

test("one scenario's runs of several targets: one table of all their rows, each run's header and failures under it", async () => {
  const results = join(root, 'results-merged');
  for (const [id, target, failures] of [
    ['c-harper', 'harper', []],
    ['c-mono', 'mono', ['crash 2: no answer']],
  ] as const) {
    mkdirSync(join(results, id, target, '11-cold-start'), { recursive: true });
    const m = resilienceManifest({ runId: id, target, failures: [...failures] });
    writeFileSync(join(results, id, RESILIENCE_MANIFEST), JSON.stringify(m));
    const f = { ...coldStartFile(1, target === 'harper' ? 6700 : 4400), target };
    writeFileSync(join(results, id, target, '11-cold-start', 'crash-01.json'), JSON.stringify(f));
  }
  const text = readFileSync(
    await renderResilienceReport({
      root,
      resultsRoot: results,
      runIds: ['c-harper', 'c-mono'],
      out: 'merged.md',
    }),
    'utf8',
  );
  assert.equal(text.match(/^\| target \| start \|/gm)?.length, 1, 'one table');
  assert.match(
    text,
    /\| harper \| after SIGKILL \| 1 \| 6,700 \|.*\n\| mono \| after SIGKILL \| 1 \| 4,400 \|/,
  );
  assert.match(text, /^mono: Failed measurements: crash 2: no answer\.$/m);
  assert.match(
    text,
    /#### Runs\n\n\*\*harper\*\*\n\n> \*\*Run\*\* `c-harper`[^]*\*\*mono\*\*\n\n> \*\*Run\*\* `c-mono`/,
  );
});

test('scale runs of several targets: a side-by-side section and charts first, then each target, refusals said', async () => {
  const results = join(root, 'results-scale');
  scaleRunFixture(results, 'h', 'harper', [1, 10, 100]);
  scaleRunFixture(results, 'm', 'micro', [1, 10], [{ scale: 100, reason: 'too big for its heap' }]);
  const text = readFileSync(
    await renderResilienceReport({ root, resultsRoot: results, runIds: ['h', 'm'], out: 'scale.md' }),
    'utf8',
  );
  const [all, harper, micro] = ['### All targets', '### harper', '### micro'].map((h) => text.indexOf(h));
  assert.ok(all! >= 0 && all! < harper! && harper! < micro!, 'comparison, then each target');
  assert.match(text, /\| 03-pdp \| 100 \(120,000\) \| 10\.00 \| not run \|/);
  assert.match(text.slice(micro), /^Scale 100 \(120,000\) not run: too big for its heap\.$/m);
  const svg = readFileSync(join(root, 'scale', 'scale-cpu-ms-per-request.svg'), 'utf8');
  assert.match(svg, /^<svg/);
  assert.match(svg, /harper/);
  assert.match(text, /!\[scale-p99-ms\.svg\]\(scale\/scale-p99-ms\.svg\)/);
});
