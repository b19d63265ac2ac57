/** Progress on the terminal: the clock format of elapsed time and ETA, and the live figures it shows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clock, Progress } from '../src/benchmark/progress.js';
import { otherMachines } from '../src/benchmark/run.js';
import { sessionCommits } from '../src/results/sessions.js';
import { session } from './helpers.js';
import { liveOf } from '../src/k6/k6.js';
import { cpuIdentity, describeMachine, machineInfo } from '../src/lib/machine.js';

test('seconds, minutes with seconds, hours with minutes; never negative', () => {
  assert.equal(clock(9.4), '9s');
  assert.equal(clock(-3), '0s');
  assert.equal(clock(61), '1m01s');
  assert.equal(clock(3599), '59m59s');
  assert.equal(clock(3600 + 5 * 60 + 40), '1h05m');
});

test('the machine a number was measured on, in one line', () => {
  const m = machineInfo();
  assert.ok(m.cores >= 1 && m.memoryGiB >= 0 && m.node.startsWith('v'));
  assert.equal(
    describeMachine({ cpuModel: 'AMD EPYC', cores: 2, memoryGiB: 24, node: 'v20.20.2', kernel: '6.18' }),
    'AMD EPYC, 2 cores, 24 GiB, Linux 6.18, Node v20.20.2',
  );
  const full = { cpuModel: 'AMD EPYC', cores: 2, memoryGiB: 24, node: 'v20.20.2', kernel: '6.18' };
  assert.equal(
    describeMachine({ ...full, cpu: 'family 25, model 1, 2445 MHz, L3 32 MiB', bootId: '0f3a9c1e-77aa-4b' }),
    'AMD EPYC (family 25, model 1, 2445 MHz, L3 32 MiB), 2 cores, 24 GiB, Linux 6.18, Node v20.20.2, boot 0f3a9c1e',
  );
});

test('the CPU underneath a virtual machine’s model name: family, model, stepping, clock, L3', () => {
  const cpuinfo = [
    'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC',
    'stepping\t: 1\ncpu MHz\t\t: 2445.438\n\nprocessor\t: 1\ncpu family\t: 99\n',
  ].join('\n');
  assert.equal(cpuIdentity(cpuinfo, '32768K'), 'family 25, model 1, stepping 1, 2445 MHz, L3 32 MiB');
  assert.equal(cpuIdentity(cpuinfo, '512K'), 'family 25, model 1, stepping 1, 2445 MHz, L3 512 KiB');
  assert.equal(cpuIdentity('processor\t: 0\n', null), undefined);
  assert.equal(cpuIdentity(null, '32768K'), undefined);
});

test('a resumed run counts the earlier sessions that ran on another machine (unknown boots never count)', () => {
  assert.equal(otherMachines([session('a'), session('a')], 'a'), 0);
  assert.equal(otherMachines([session('a'), session(), session('b')], 'a'), 1);
  assert.equal(otherMachines([session('b')], undefined), 0);
});

test("a run's sessions name their commits; one that recorded none ran the manifest's", () => {
  const git = { commit: 'aaaa', dirty: false };
  const at = (commit: string, dirty = false) => ({ ...session(), git: { commit, dirty } });
  assert.deepEqual(sessionCommits({ git, sessions: [] }), ['aaaa']);
  assert.deepEqual(sessionCommits({ git, sessions: [session(), at('aaaa')] }), ['aaaa']);
  assert.deepEqual(sessionCommits({ git, sessions: [session(), at('bbbb'), at('bbbb', true)] }), [
    'aaaa',
    'bbbb',
    'bbbb+',
  ]);
  assert.deepEqual(sessionCommits({ git: { commit: null, dirty: null }, sessions: [session()] }), []);
});

test('no request yet is no failure: k6 reports its empty rates as 0 before the first response', () => {
  const idle = liveOf({ count: 0, rate: 0 }, { rate: 0 }, { rate: 0 });
  assert.deepEqual(idle, { requests: 0, rps: 0, failedRate: 0, checksRate: 1 });
  const failing = liveOf({ count: 40, rate: 20 }, { rate: 0.25 }, { rate: 0.5 });
  assert.deepEqual(failing, { requests: 40, rps: 20, failedRate: 0.25, checksRate: 0.5 });

  // Without a TTY the first failing second gets a line of its own; an idle first second does not.
  const out: string[] = [];
  const p = new Progress(60, (s) => out.push(s), false);
  p.begin('06-browse-mix · harper · run 1/10', 30);
  p.onLive(idle);
  assert.equal(out.filter((l) => l.startsWith('  !')).length, 0, out.join(''));
  p.onLive(failing);
  assert.match(out.at(-1)!, /^ {2}! .*errors 25\.00% · checks failing 50\.00%/);
  p.stop();
});

test('the ETA follows the plan as it is re-estimated: what is left, at the pace so far', () => {
  const p = new Progress(100, () => undefined, false);
  assert.equal(p.eta(), 130, 'before any work: the plan and 30% for overheads');
  p.begin('08-capacity · harper · run 1/10 · rate-10', 15);
  p.end(50, 'done');
  // Real time so far is far below the 50 planned seconds: the pace is never taken as faster than the plan.
  assert.equal(p.eta(), 50);
  p.replan(20); // e.g. a ladder stopped early: its remaining rungs are no longer planned
  assert.equal(p.eta(), 20);
  p.end(30, 'done');
  assert.equal(p.eta(), 0, 'never negative');
  p.stop();
});
