// Does the machine's probe follow a target's cost: centred per (scenario, step), pooled per run id and target.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import { probeFollowSection } from '../src/report/probe-follow.js';
import type { CellSummary } from '../src/stats/aggregate.js';
import { probeFollowOf } from '../src/stats/probe-follow.js';
import { summaryCell, summaryStep } from './helpers.js';

/** How slow the machine was in each of 10 windows (1 = usual). */
const slowness = [1, 1.3, 0.95, 1.05, 1.2, 0.9, 1.1, 1, 1.25, 0.98];
/** Noise that follows nothing. */
const wobble = [1.02, 0.97, 1.01, 0.99, 1.03, 0.98, 1, 1.02, 0.97, 1.01];

/** A cell whose CPU per request is `base` × the machine's slowness; the probes as given. */
function cell(
  scenario: string,
  base: number,
  probes: { probeMs: number[]; memoryProbeMs?: number[] },
  target = 'harper',
): CellSummary {
  const step = summaryStep('main', { cpuPer1kReq: slowness.map((s) => base * s), ...probes });
  step.runs = slowness.map((_, i) => i + 1);
  return summaryCell(target, scenario, [step]);
}

suite('probe follow', () => {
  test('a memory probe slow in the dear windows correlates fully; a steady compute probe does not', () => {
    const cells = [
      cell('01-homepage', 0.2, {
        probeMs: wobble.map((w) => 4.6 * w),
        memoryProbeMs: slowness.map((s) => 15 * s),
      }),
      cell('03-pdp', 0.18, {
        probeMs: wobble.map((w) => 4.6 / w),
        memoryProbeMs: slowness.map((s) => 16 * s),
      }),
    ];
    const [r] = probeFollowOf(cells);
    assert.equal(r!.windows, 20);
    assert.equal(r!.memoryWindows, 20);
    assert.ok(Math.abs(r!.memory! - 1) < 1e-9, String(r!.memory));
    assert.ok(Math.abs(r!.compute!) < 0.5, String(r!.compute));
  });

  test('each series is centred first: two scenarios of different cost are not a correlation by themselves', () => {
    // The dear scenario happens to have the slower probes on average; within each, the probe follows nothing.
    const cells = [
      cell('01-homepage', 2, { probeMs: wobble.map((w) => 9 * w) }),
      cell('03-pdp', 0.2, { probeMs: wobble.map((w) => 4.6 * w) }),
    ];
    const [r] = probeFollowOf(cells);
    assert.ok(Math.abs(r!.compute!) < 0.5, String(r!.compute));
    assert.equal(r!.memory, null);
    assert.equal(r!.memoryWindows, 0);
  });

  test('a run without probes has no row; too few windows give no correlation', () => {
    const none = cell('01-homepage', 0.2, { probeMs: [] });
    assert.deepEqual(probeFollowOf([none]), []);
    assert.equal(probeFollowSection([none]), null);
    const few = summaryStep('main', { cpuPer1kReq: [1, 2, 3], probeMs: [4, 5, 6] });
    assert.deepEqual(probeFollowOf([summaryCell('mono', '01-homepage', [few])]), []);
  });

  test('the section names the run and target and prints – for a run without a memory probe', () => {
    const md = probeFollowSection([
      cell('01-homepage', 0.2, { probeMs: slowness.map((s) => 4.6 * s) }, 'mono'),
    ])!;
    assert.match(md, /## Does the machine’s probe follow the cost\?/);
    assert.match(md, /\| `r` \| mono \| 10 \| 1\.00 \| 0 \| – \|/);
  });
});
