/**
 * Fault injection and the native restart policy on a real target: the reference server started by the real
 * launcher inside real cgroups (a profile of its own, on a free port). SIGKILL of its process is followed by a
 * restart as `restart:` says (or none for "no"); SIGSTOP stalls requests and SIGCONT releases them.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { findVictim, killVictim, pauseVictim } from '../src/faults/inject.js';
import { isAlive, Lab } from '../src/lab/launcher.js';
import { readState } from '../src/lab/paths.js';
import { Supervisor } from '../src/lab/supervisor.js';
import { type LabFixture, referenceLabFixture } from './helpers-lab-fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const roots: string[] = [];
const labs: Lab[] = [];

after(async () => {
  // Whole temporary checkouts: their profiles and their own cgroup groups (`lab/<checkout>`).
  for (const lab of labs) await lab.down(undefined, { quiet: true });
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

async function upFixture(restart: string): Promise<{ lab: Lab; fx: LabFixture }> {
  const fx = await referenceLabFixture(restart);
  roots.push(fx.root);
  const lab = new Lab({ root: fx.root, log: () => undefined });
  labs.push(lab);
  await lab.up(fx.profile);
  return { lab, fx };
}

async function until(cond: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await cond()) return true;
    await sleep(25);
  }
  return false;
}

const ok = (url: string) =>
  fetch(`${url}/health`, { signal: AbortSignal.timeout(500) }).then(
    (r) => r.ok,
    () => false,
  );

describe('fault injection with the native restart policy', { concurrency: false }, () => {
  test('SIGKILL under restart: on-failure: restarted in its cgroup, serving again, event recorded', async () => {
    const { lab, fx } = await upFixture('on-failure');
    const sup = new Supervisor(lab, fx.profile, { pollMs: 20 }).start();
    try {
      const victim = findVictim(lab, fx.profile, 'app');
      assert.deepEqual(victim.pids, [victim.pid], 'the reference target is one process');
      const at = killVictim(victim);
      assert.ok(await until(() => !isAlive(victim.pid), 2000), 'the process died');
      assert.equal(await ok(fx.url), false, 'nothing serves while it is down');
      assert.ok(await until(() => sup.events.some((e) => e.healthyAt !== null), 10_000), 'restarted');
      const ev = sup.events[0]!;
      assert.equal(ev.pid, victim.pid);
      assert.equal(ev.policy, 'on-failure');
      assert.equal(ev.delayMs, 100, 'Docker waits 100 ms before the first restart');
      assert.ok(ev.newPid !== null && ev.newPid !== victim.pid && isAlive(ev.newPid));
      assert.ok(ev.diedAt >= at && ev.healthyAt! > ev.diedAt);
      assert.equal(readState(lab.paths, fx.profile)!.services['app']!.pid, ev.newPid, 'state follows');
      const cg = readState(lab.paths, fx.profile)!.services['app']!.cgroup!;
      assert.deepEqual(lab.cgroups!.pids(cg), [ev.newPid], 'the new process runs inside the service cgroup');
      assert.equal(await ok(fx.url), true);

      // A second kill soon after: the supervisor started this process, so it knows it was killed, and backs off.
      killVictim(findVictim(lab, fx.profile, 'app'));
      assert.ok(await until(() => sup.events.length === 2 && sup.events[1]!.healthyAt !== null, 10_000));
      assert.deepEqual(sup.events[1]!.exit, { code: null, signal: 'SIGKILL' });
      assert.equal(sup.events[1]!.delayMs, 200, 'a quick second failure waits twice as long');
    } finally {
      await sup.stop();
      await lab.down(fx.profile, { quiet: true });
    }
  });

  test('restart: "no": a killed service stays down and the supervisor says so', async () => {
    const { lab, fx } = await upFixture('no');
    const sup = new Supervisor(lab, fx.profile, { pollMs: 20 }).start();
    try {
      killVictim(findVictim(lab, fx.profile, 'app'));
      assert.ok(await until(() => sup.events.length === 1, 3000));
      await sleep(500);
      assert.equal(sup.events[0]!.restarted, false);
      assert.equal(await ok(fx.url), false);
    } finally {
      await sup.stop();
      await lab.down(fx.profile, { quiet: true });
    }
  });

  test('pause: requests stall during SIGSTOP and are answered after SIGCONT; nothing restarts', async () => {
    const { lab, fx } = await upFixture('on-failure');
    const sup = new Supervisor(lab, fx.profile, { pollMs: 20 }).start();
    try {
      const victim = findVictim(lab, fx.profile, 'app');
      const paused = pauseVictim(victim, 600);
      await sleep(50);
      const t0 = Date.now();
      const answered = await fetch(`${fx.url}/health`, { signal: AbortSignal.timeout(5000) });
      const waited = Date.now() - t0;
      const { at, resumedAt } = await paused;
      assert.equal(answered.status, 200);
      assert.ok(waited >= 400, `the request waited for SIGCONT (${waited} ms)`);
      assert.ok(resumedAt - at >= 600);
      assert.equal(isAlive(victim.pid), true);
      assert.equal(sup.events.length, 0, 'a stopped process is not a dead one');
    } finally {
      await sup.stop();
      await lab.down(fx.profile, { quiet: true });
    }
  });

  test('stopAll: every supervisor stops watching, so a stopped service stays stopped (an interrupted run)', async () => {
    const { lab, fx } = await upFixture('on-failure');
    const sup = new Supervisor(lab, fx.profile, { pollMs: 20 }).start();
    try {
      await Supervisor.stopAll();
      killVictim(findVictim(lab, fx.profile, 'app'));
      await sleep(600);
      assert.equal(sup.events.length, 0, 'no supervisor saw it');
      assert.equal(await ok(fx.url), false, 'nothing restarted it');
    } finally {
      await sup.stop();
      await lab.down(fx.profile, { quiet: true });
    }
  });

  test('a clear error for a victim that is not a service of a running profile', async () => {
    const { lab, fx } = await upFixture('no');
    try {
      assert.throws(
        () => findVictim(lab, fx.profile, 'nope'),
        /nope is not a service of .* \(services: app\)/,
      );
      assert.throws(() => findVictim(lab, 'absent', 'app'), /absent is not up/);
    } finally {
      await lab.down(fx.profile, { quiet: true });
    }
  });
});
