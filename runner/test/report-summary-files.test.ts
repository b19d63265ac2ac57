/** report/summary-files.ts: summary.json and summary.md per cell and per run directory. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { capacityTable, flagLegend, scenarioTable, TABLE_NOTE } from '../src/report/markdown.js';
import { writeCellSummaries, writeRunSummary } from '../src/report/summary-files.js';
import type { CellSummary, PairComparison, RunSummary } from '../src/stats/aggregate.js';
import { compare } from '../src/stats/compare.js';
import { describe } from '../src/stats/describe.js';
import { benchmarkManifest, summaryCell, summaryStep } from './helpers.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lab-summary-files-'));
  dirs.push(d);
  return d;
};
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

/** 03 (one step) for a and b, and 08 (capacity) for a and b; a flagged noisy on 03. */
function summary(): RunSummary {
  const pdp = (t: string, rps: number[]) => summaryCell(t, '03-pdp', [summaryStep('main', { rps })]);
  const capacity = (t: string, values: number[]): CellSummary => ({
    ...summaryCell(t, '08-capacity', [summaryStep('rate-100', { rps: values })]),
    title: 'Capacity',
    model: 'open',
    capacity: { sloP99Ms: 50, firstRate: 100, values, stats: describe(values), flags: [] },
  });
  const cells = [
    pdp('a', [1000, 1010, 990]),
    pdp('b', [500, 505, 495]),
    capacity('a', [200, 200, 200]),
    capacity('b', [100, 100, 100]),
  ];
  cells[0]!.steps[0]!.flags = ['noisy'];
  const pair = (scenario: string, step: string, metric: PairComparison['metric']): PairComparison => ({
    scenario,
    step,
    metric,
    a: 'a',
    b: 'b',
    result: compare([2, 2.1, 1.9], [1, 1.05, 0.95])!,
    paired: null,
  });
  return {
    schema: 1,
    runId: 'r',
    status: 'complete',
    cells,
    comparisons: [pair('03-pdp', 'main', 'rps'), pair('08-capacity', 'capacity', 'capacity')],
  };
}

test('per cell: summary.json is the cell, summary.md its title and table, the capacity table only for 08', () => {
  const dir = tempDir();
  const s = summary();
  writeCellSummaries(dir, s);
  assert.deepEqual(readdirSync(dir).sort(), ['a', 'b']);
  for (const c of s.cells) {
    const cellDir = join(dir, c.target, c.scenario);
    assert.deepEqual(readdirSync(cellDir).sort(), ['summary.json', 'summary.md'], 'no temporary file left');
    assert.deepEqual(JSON.parse(read(cellDir, 'summary.json')), c);
  }
  assert.equal(
    read(dir, 'a', '03-pdp', 'summary.md'),
    `# 03-pdp · a\n\n03-pdp\n\n${scenarioTable([s.cells[0]!])}\n`,
  );
  const cap = read(dir, 'b', '08-capacity', 'summary.md');
  assert.equal(
    cap,
    `# 08-capacity · b\n\nCapacity\n\n${scenarioTable([s.cells[3]!])}\n\n${capacityTable([s.cells[3]!])}\n`,
  );
  assert.match(cap, /\| b \| 3\/3 \| p99 ≤ 50 ms \| 100 ±0\.0% \| 100, 100, 100 \|/);
  assert.doesNotMatch(read(dir, 'a', '03-pdp', 'summary.md'), /SLO/);
});

test("per run: a section per scenario in the manifest's order, each with its own comparisons, then the notes", () => {
  const dir = tempDir();
  const s = summary();
  const manifest = benchmarkManifest({
    options: { ...benchmarkManifest().options, scenarios: ['08-capacity', '05-mixed', '03-pdp'] },
  });
  const md = writeRunSummary(dir, manifest, s);
  assert.equal(read(dir, 'summary.md'), md, 'the returned markdown is the file');
  assert.deepEqual(JSON.parse(read(dir, 'summary.json')), s);
  assert.deepEqual(readdirSync(dir).sort(), ['summary.json', 'summary.md']);

  assert.match(md, /^# Run r\n\n> \*\*Run\*\* `r` \(complete\)/);
  const headings = md.split('\n').filter((l) => l.startsWith('## '));
  assert.deepEqual(headings, ['## 08-capacity — Capacity', '## 03-pdp — 03-pdp'], 'no section without cells');
  const [, capacity, pdp] = md.split(/^## .*$/m);
  assert.ok(capacity!.includes(scenarioTable(s.cells.slice(2))));
  assert.ok(capacity!.includes(capacityTable(s.cells.slice(2))));
  assert.match(capacity!, /\| a \/ b \| capacity \| capacity \| – \| – \| – \| – \| 2\.000× \|/);
  assert.doesNotMatch(capacity!, /\| main \| req\/s \|/, "03's comparison is not in 08's section");
  assert.ok(pdp!.includes(scenarioTable(s.cells.slice(0, 2))));
  assert.doesNotMatch(pdp!, /p99 ≤ 50 ms/, 'no capacity table without a capacity');
  assert.match(pdp!, /\| a \/ b \| main \| req\/s \| – \| – \| – \| – \| 2\.000× \|/);
  assert.doesNotMatch(pdp!, /\| capacity \| capacity \|/);
  assert.ok(pdp!.endsWith(`\n${TABLE_NOTE}\n\n${flagLegend(s.cells)}\n`));
  assert.match(flagLegend(s.cells), /^- `noisy`: /);
});
