// The decomposition table: micro − microlith and microlith − harper, from cells only, never from a missing one.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import { decompose, decompositionSection } from '../src/report/decomposition.js';
import type { CellSummary } from '../src/stats/aggregate.js';
import { summaryCell, summaryStep } from './helpers.js';

/** A cell whose runs measured these p50s and CPU per 1k requests (`steps` copies of that step). */
function cell(target: string, scenario: string, p50: number[], cpu: number[], steps = 1): CellSummary {
  const step = summaryStep('main', { p50, cpuPer1kReq: cpu });
  return summaryCell(
    target,
    scenario,
    Array.from({ length: steps }, (_, i) => ({ ...step, step: `s${i}` })),
  );
}

suite('decomposition', () => {
  const cells = [
    cell('harper', '01-homepage', [1, 2, 3], [0.1, 0.2, 0.3]),
    cell('microlith', '01-homepage', [4, 5, 6], [0.5, 0.5, 0.5]),
    cell('micro', '01-homepage', [10, 11, 12], [1.5, 1.6, 1.4]),
    cell('microlith', '03-pdp', [2], [0.2]),
    cell('micro', '05-checkout', [9], [1]),
    cell('microlith', '05-checkout', [3], [0.4]),
    cell('micro', '06-browse-mix', [900], [6]),
    cell('microlith', '06-browse-mix', [100], [3]),
  ];

  test('subtracts medians: micro − microlith and microlith − harper', () => {
    const rows = decompose(cells);
    const p50 = rows.find((r) => r.scenario === '01-homepage' && r.metric === 'p50')!;
    assert.equal(p50.hops, 11 - 5);
    assert.equal(p50.database, 5 - 2);
    assert.equal(p50.values.mono, null);
    const cpu = rows.find((r) => r.scenario === '01-homepage' && r.metric === 'cpuPer1kReq')!;
    assert.ok(Math.abs(cpu.hops! - 1.0) < 1e-9, String(cpu.hops));
  });

  test('reports nothing for a scenario without a pair, nor outside 01–05', () => {
    const rows = decompose(cells);
    assert.ok(!rows.some((r) => r.scenario === '03-pdp'), 'microlith alone: no difference to show');
    const checkout = rows.find((r) => r.scenario === '05-checkout' && r.metric === 'p50');
    assert.equal(checkout?.hops, 9 - 3, 'the write path is decomposed');
    assert.ok(!rows.some((r) => r.scenario === '06-browse-mix'), 'think time: not a cost per request');
  });

  test('never reads a multi-step cell as one value', () => {
    const rows = decompose([cell('microlith', '02-plp', [1], [1], 2), cell('micro', '02-plp', [2], [2])]);
    assert.deepEqual(rows, []);
  });

  test('renders a table only when there is something to decompose', () => {
    assert.equal(decompositionSection([cell('micro', '01-homepage', [1], [1])]), null);
    const md = decompositionSection(cells)!;
    assert.match(md, /## Decomposition of the fragmentation tax/);
    assert.match(
      md,
      /\| 01-homepage \| p50 ms \| 2\.000 \| 5\.000 \| 11\.000 \| – \| \+6\.000 \| \+3\.000 \| {2}\|/,
    );
  });

  test('carries the flags of every cell it read', () => {
    const noisy = cell('micro', '02-plp', [9, 30], [1, 1]);
    noisy.steps[0]!.flags = ['noisy', 'errors'];
    const rows = decompose([cell('microlith', '02-plp', [1, 1], [1, 1]), noisy]);
    assert.deepEqual(rows[0]!.flags, ['errors', 'noisy']);
  });
});
