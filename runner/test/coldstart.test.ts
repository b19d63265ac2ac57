/**
 * Scenario 11 on a real target: the reference server through the real launcher and cgroups (a profile of its
 * own on a free port), started after a clean stop and after a SIGKILL of every process; plus the steady-state
 * rule on known samples.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { generateDataset, Oracle } from '@lab/contract';
import { coldStart, killProfile } from '../src/coldstart/cold-start.js';
import { steadyState } from '../src/coldstart/steady.js';
import { readColdStarts, renderColdStartTable } from '../src/coldstart/summary.js';
import { isAlive, Lab } from '../src/lab/launcher.js';
import { readState } from '../src/lab/paths.js';
import { referenceLabFixture } from './helpers-lab-fixture.js';

test('steady p99: the tail windows set it; the time is when p99 came within 1.5x and stayed', () => {
  const samples = [];
  for (let t = 0; t < 6000; t += 10)
    samples.push({ sentMs: t, latencyMs: t < 2000 ? 20 : t === 4500 ? 5 : 2 });
  const s = steadyState(samples);
  assert.equal(s.steadyP99Ms, 2);
  assert.equal(s.timeToSteadyMs, 2000);
  assert.equal(s.windows.length, 6);
  assert.deepEqual(steadyState([]), { steadyP99Ms: null, timeToSteadyMs: null, windows: [] });
});

describe('cold start of a real target', { concurrency: false }, () => {
  const dirs: string[] = [];
  const labs: Lab[] = [];
  after(async () => {
    // Whole temporary checkouts: their profiles and their own cgroup groups (`lab/<checkout>`).
    for (const l of labs) await l.down(undefined, { quiet: true });
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('after a clean stop and after SIGKILL: first correct 200, up done, steady p99, files and table', async () => {
    const fx = await referenceLabFixture('on-failure');
    dirs.push(fx.root);
    const runDir = mkdtempSync(join(tmpdir(), 'lab-coldstart-'));
    dirs.push(runDir);
    const lab = new Lab({ root: fx.root, log: () => undefined });
    labs.push(lab);
    const target = { ...lab.compose.targets[0]!, name: 'ref' };
    const oracle = new Oracle(generateDataset({ seed: 42, scale: 1 }), { adminToken: 'x' });
    const id = oracle.catalog.popular[0]!;
    const common = {
      lab,
      runDir,
      target,
      rep: 1,
      probePath: `/api/products/${id}`,
      expectedBody: JSON.stringify(oracle.product(String(id)).body),
      steadyMs: 1500,
      deadlineMs: 20_000,
    };
    const start = await coldStart({ ...common, mode: 'start' });
    assert.ok(
      start.firstOkMs !== null && start.firstOkMs > 0 && start.firstOkMs < 15_000,
      `${start.firstOkMs}`,
    );
    assert.ok(start.upMs !== null && start.upError === null);
    assert.ok(start.steadyP99Ms !== null && start.windows.length >= 1);

    const before = readState(lab.paths, fx.profile)!.services['app']!.pid;
    const crash = await coldStart({ ...common, mode: 'crash' });
    const now = readState(lab.paths, fx.profile)!.services['app']!.pid;
    assert.equal(isAlive(before), false, 'the old process was killed');
    assert.notEqual(now, before);
    assert.ok(crash.firstOkMs !== null && crash.upError === null);

    const files = readColdStarts(runDir);
    assert.deepEqual(files.map((f) => f.mode).sort(), ['crash', 'start']);
    assert.match(renderColdStartTable(files), /\| ref \| after SIGKILL \| 1 \| \d/);
    // The reference answers every steady request: none failed after its first 200.
    assert.match(renderColdStartTable(files), /\| ref \| after SIGKILL \| 1 \| .* \| 0 \|$/m);
    await killProfile(lab, fx.profile);
    assert.equal(isAlive(now), false);
  });

  test('a start that fails ends the measurement at once (upError), not at the probe deadline', async () => {
    const fx = await referenceLabFixture('no', [process.execPath, '-e', 'process.exit(3)']);
    dirs.push(fx.root);
    const runDir = mkdtempSync(join(tmpdir(), 'lab-coldstart-'));
    dirs.push(runDir);
    const failing = new Lab({ root: fx.root, log: () => undefined });
    labs.push(failing);
    const t0 = Date.now();
    const f = await coldStart({
      lab: failing,
      runDir,
      target: failing.compose.targets[0]!,
      mode: 'start',
      rep: 1,
      probePath: '/health',
      expectedBody: 'x',
      steadyMs: 1000,
      deadlineMs: 60_000,
    });
    assert.equal(f.firstOkMs, null);
    assert.match(f.upError ?? '', /exited before becoming healthy/);
    assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
  });
});
