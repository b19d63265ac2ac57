import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Cgroups, type Usage } from '../src/lab/cgroup.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const read = (...p: string[]) => readFileSync(join(...p), 'utf8').trim();

/** Writes a cgroup's counter files (paths under the hierarchy's root) and checks what readUsage makes of them. */
function assertUsage(
  cg: Cgroups,
  root: string,
  path: string,
  files: Record<string, string>,
  expected: Usage,
) {
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
  assert.deepEqual(cg.readUsage(path), expected);
}

describe('cgroup v1 (separate hierarchies per controller)', () => {
  const root = mkdtempSync(join(tmpdir(), 'lab-cg1-'));
  dirs.push(root);
  for (const c of ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids']) mkdirSync(join(root, c));
  writeFileSync(join(root, 'cpuset', 'cpuset.cpus'), '0-3');
  writeFileSync(join(root, 'cpuset', 'cpuset.mems'), '0');
  const cg = new Cgroups(1, root, true);

  test('detects v1 from the layout', () => {
    assert.equal(Cgroups.detect(root)?.version, 1);
  });

  test('writes quota, period, cpuset (with mems at every level) and the memory limit', () => {
    cg.ensure('lab/t', { cpus: 1.5, cpuset: '1-2', memoryBytes: 2 * 1024 ** 3 });
    cg.ensure('lab/t/svc', { cpuset: '1-2', memoryBytes: 512 * 1024 ** 2 });
    assert.equal(read(root, 'cpu/lab/t/cpu.cfs_quota_us'), '15000');
    assert.equal(read(root, 'cpu/lab/t/cpu.cfs_period_us'), '10000');
    assert.equal(read(root, 'cpuset/lab/cpuset.mems'), '0');
    assert.equal(read(root, 'cpuset/lab/t/svc/cpuset.mems'), '0');
    assert.equal(read(root, 'cpuset/lab/t/svc/cpuset.cpus'), '1-2');
    assert.equal(read(root, 'memory/lab/t/svc/memory.limit_in_bytes'), String(512 * 1024 ** 2));
    assert.deepEqual(cg.readLimits('lab/t'), { cpus: 1.5, cpuset: '1-2', memoryBytes: 2 * 1024 ** 3 });
    assert.deepEqual(
      cg.procsFiles('lab/t/svc').map((f) => f.slice(root.length)),
      [
        '/cpu/lab/t/svc/cgroup.procs',
        '/cpuacct/lab/t/svc/cgroup.procs',
        '/cpuset/lab/t/svc/cgroup.procs',
        '/memory/lab/t/svc/cgroup.procs',
        '/pids/lab/t/svc/cgroup.procs',
      ],
    );
  });

  test('reads usage and pids back, including children', () => {
    assertUsage(
      cg,
      root,
      'lab/t',
      {
        'cpuacct/lab/t/cpuacct.usage': '2500000000',
        'cpu/lab/t/cpu.stat': 'nr_periods 40\nnr_throttled 10\nthrottled_time 300000000\n',
        'memory/lab/t/memory.usage_in_bytes': '1000',
        'memory/lab/t/memory.max_usage_in_bytes': '2000',
      },
      {
        cpuSeconds: 2.5,
        periods: 40,
        throttledPeriods: 10,
        throttledSeconds: 0.3,
        memoryBytes: 1000,
        memoryPeakBytes: 2000,
      },
    );
    writeFileSync(join(root, 'memory/lab/t/svc/cgroup.procs'), '42\n43\n');
    assert.deepEqual(cg.pids('lab/t'), [42, 43]);
    assert.deepEqual(cg.children('lab'), ['t']);
  });

  test('an unlimited cgroup reads back as null limits', () => {
    cg.ensure('lab/free', {});
    writeFileSync(join(root, 'cpu/lab/free/cpu.cfs_quota_us'), '-1');
    writeFileSync(join(root, 'memory/lab/free/memory.limit_in_bytes'), '9223372036854771712');
    const l = cg.readLimits('lab/free');
    assert.equal(l.cpus, null);
    assert.equal(l.memoryBytes, null);
  });

  test('remove deletes the subtree in every hierarchy and is idempotent', async () => {
    await cg.remove('lab/t');
    await cg.remove('lab/t');
    assert.equal(cg.exists('lab/t'), false);
    assert.equal(cg.exists('lab/t/svc'), false);
  });
});

describe('cgroup v2 (unified)', () => {
  const root = mkdtempSync(join(tmpdir(), 'lab-cg2-'));
  dirs.push(root);
  writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids');
  writeFileSync(join(root, 'cpuset.mems.effective'), '0');
  const cg = new Cgroups(2, root, true);

  test('detects v2 from cgroup.controllers', () => {
    assert.equal(Cgroups.detect(root)?.version, 2);
  });

  test('enables controllers down the tree and writes cpu.max, cpuset and memory.max', () => {
    cg.ensure('lab/t', { cpus: 2, cpuset: '2-3', memoryBytes: 1024 ** 3 });
    cg.ensure('lab/t/svc', { memoryBytes: 256 * 1024 ** 2 });
    assert.match(read(root, 'cgroup.subtree_control'), /\+cpu .*\+memory/);
    assert.match(read(root, 'lab/cgroup.subtree_control'), /\+cpuset/);
    assert.equal(read(root, 'lab/t/cpu.max'), '20000 10000');
    assert.equal(read(root, 'lab/t/cpuset.cpus'), '2-3');
    assert.equal(read(root, 'lab/t/svc/memory.max'), String(256 * 1024 ** 2));
    assert.deepEqual(cg.readLimits('lab/t'), { cpus: 2, cpuset: '2-3', memoryBytes: 1024 ** 3 });
    assert.deepEqual(cg.procsFiles('lab/t/svc'), [join(root, 'lab/t/svc/cgroup.procs')]);
  });

  test('usage from cpu.stat (usec), memory.current and memory.peak', () => {
    assertUsage(
      cg,
      root,
      'lab/t',
      {
        'lab/t/cpu.stat': 'usage_usec 1500000\nnr_periods 10\nnr_throttled 4\nthrottled_usec 250000\n',
        'lab/t/memory.current': '4096',
        'lab/t/memory.peak': '8192',
      },
      {
        cpuSeconds: 1.5,
        periods: 10,
        throttledPeriods: 4,
        throttledSeconds: 0.25,
        memoryBytes: 4096,
        memoryPeakBytes: 8192,
      },
    );
    writeFileSync(join(root, 'lab/t/cpu.max'), 'max 100000');
    writeFileSync(join(root, 'lab/t/memory.max'), 'max');
    assert.deepEqual(cg.readLimits('lab/t'), { cpus: null, cpuset: '2-3', memoryBytes: null });
  });

  test('a missing controller is a clear error', () => {
    const bare = mkdtempSync(join(tmpdir(), 'lab-cg2b-'));
    dirs.push(bare);
    writeFileSync(join(bare, 'cgroup.controllers'), 'io pids');
    assert.throws(() => new Cgroups(2, bare, false).ensure('lab/x', {}), /controller "cpu" is not available/);
  });
});
