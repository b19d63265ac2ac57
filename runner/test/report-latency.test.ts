// 09's report section: injector overhead (09 at 0 ms − direct, else − 03) and slope per ms of hop latency between
// the two largest steps, from cells only.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import { latencyRows, latencySection, stepLatency } from '../src/report/latency.js';
import type { CellSummary } from '../src/stats/aggregate.js';
import { summaryCell, summaryStep } from './helpers.js';

type Step = CellSummary['steps'][number];

const step = (label: string, p50: number, p99: number): Step =>
  summaryStep(label, { p50: [p50], p99: [p99] });
const cell = (target: string, scenario: string, steps: Step[]): CellSummary =>
  summaryCell(target, scenario, steps);

suite('09 in the report', () => {
  const cells = [
    cell('micro', '03-pdp', [step('main', 10, 30)]),
    cell('micro', '09-network-latency', [
      step('hop-0ms', 11, 33),
      step('hop-0.25ms', 13, 35),
      step('hop-1ms', 21, 41),
      step('hop-5ms', 51, 83),
    ]),
    cell('harper', '09-network-latency', [step('hop-0ms', 2, 5), step('hop-5ms', 2, 6)]),
    // A run with 09's direct step: the injector's cost is read within the cell, not against 03.
    cell('mono', '03-pdp', [step('main', 40, 90)]),
    cell('mono', '09-network-latency', [
      step('direct', 4, 9),
      step('hop-0ms', 4.5, 10),
      step('hop-5ms', 24.5, 40),
    ]),
  ];

  test('reads the added latency from the step label', () => {
    assert.equal(stepLatency('hop-0.25ms'), 0.25);
    assert.equal(stepLatency('hop-5ms'), 5);
    assert.equal(stepLatency('main'), null);
  });

  test('overhead against 03 and slope between the two largest steps', () => {
    const [micro, harper] = latencyRows(cells);
    assert.equal(micro!.overheadP50, 1);
    assert.equal(micro!.overheadP99, 3);
    assert.equal(
      micro!.slopeP50,
      (51 - 21) / 4,
      'from 1 ms, not from 0 ms (restarted just before: warming up)',
    );
    assert.equal(micro!.slopeFromMs, 1);
    assert.equal(micro!.maxLatencyMs, 5);
    assert.equal(harper!.overheadP50, null, 'no 03 cell: no overhead figure');
    assert.equal(harper!.slopeP50, 0);
    assert.equal(harper!.slopeFromMs, 0, 'two hop steps: the slope is read from 0 ms');
  });

  test('with a direct step, the overhead is the 0 ms step minus it (the same load), never 03', () => {
    const mono = latencyRows(cells).find((r) => r.target === 'mono')!;
    assert.equal(mono.overheadP50, 0.5);
    assert.equal(mono.overheadP99, 1);
    assert.equal(mono.slopeP50, 4);
  });

  test('renders only when 09 was measured', () => {
    assert.equal(latencySection([cells[0]!]), null);
    assert.match(
      latencySection(cells)!,
      /\| micro \| \+1\.00 \| \+3\.00 \| 7\.50 \| 10\.50 \| 1–5 ms \| {2}\|/,
    );
  });
});
