/** Progress on the terminal: the clock format of elapsed time and ETA. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clock } from '../src/benchmark/progress.js';
import { describeMachine, machineInfo } from '../src/lib/machine.js';

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
});
