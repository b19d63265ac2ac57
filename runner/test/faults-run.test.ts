/**
 * One whole fault run against a real target — the reference server under the real launcher, cgroups and
 * supervisor, driven by the real k6 with scenario 10's script — after the command's warm-up: the kill makes k6
 * cross its thresholds (exit 99), which is the measurement, not a failure; the victim is restarted and serves
 * again; the audit finds what the reference server's in-memory state lost.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { ensureScenarioData } from '../src/benchmark/scenario-data.js';
import { faultRun, warmUp } from '../src/faults/fault-run.js';
import { Lab } from '../src/lab/launcher.js';
import { LabPaths } from '../src/lab/paths.js';
import { findTool } from '../src/lab/tools.js';
import { repoRoot } from '../src/lib/env-file.js';
import { referenceLabFixture } from './helpers-lab-fixture.js';
import { TOKEN } from './helpers.js';

const root = repoRoot();
const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

test('a kill under load: k6 exit 99 kept, the victim restarted and serving, recovery and audit recorded', async () => {
  const fx = await referenceLabFixture('on-failure');
  const lab = new Lab({ root: fx.root, log: () => undefined });
  cleanup.push(() => rmSync(fx.root, { recursive: true, force: true }));
  // The whole temporary checkout: its profiles and its own cgroup group (`lab/<checkout>`).
  cleanup.push(() => lab.down(undefined, { quiet: true }).then(() => undefined));
  await lab.up(fx.profile);
  const k6 = findTool('k6', { paths: new LabPaths(root), env: process.env, log: () => undefined });
  assert.ok(k6, 'k6 is installed (./lab doctor --install)');
  const common = {
    lab,
    root,
    runDir: fx.root,
    target: { name: 'ref', profile: fx.profile, url: fx.url, available: true },
    k6: k6.path,
    dataFile: ensureScenarioData(root, 42, 1),
    loadgenCpuset: '0',
    adminToken: TOKEN,
    seed: 42,
    scale: 1,
    rate: 20,
    durationSeconds: 6,
    atSeconds: 2,
    pauseSeconds: 1,
    sloP99Ms: 100,
    log: () => undefined,
  };
  await warmUp(common, 2);
  const r = await faultRun({ ...common, victim: 'app', fault: 'kill', run: 1 });
  assert.equal(r.k6.exitCode, 99, 'the errors crossed the thresholds, and the run was kept');
  assert.ok(r.recovery.during.errorRate > 0, 'requests failed while the victim was down');
  assert.ok(r.recovery.timeToFirstSuccessMs !== null, 'served again within the run');
  assert.equal(r.restarts[0]?.restarted, true);
  // The reference server keeps its state in memory: what it sold before the kill is gone after the restart.
  assert.equal(r.audit.oversoldUnits, 0);
  assert.ok(r.audit.lostUnits > 0 || r.audit.confirmedOrders === 0);
});
