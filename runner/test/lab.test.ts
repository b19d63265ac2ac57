import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseBytes } from '../src/lab/budget.js';
import { Cgroups } from '../src/lab/cgroup.js';
import { composeEnv, loadCompose } from '../src/lab/compose.js';
import type { ProfileStatus } from '../src/lab/launcher.js';
import { isAlive, Lab, LabError } from '../src/lab/launcher.js';
import { startTimeOf } from '../src/lab/pid.js';
import { NativeDriver } from '../src/benchmark/targets.js';
import { repoRoot } from '../src/lib/env-file.js';
import { verifyTarget } from '../src/verify/verify.js';

const root = repoRoot();
const env = composeEnv(root, {});
const cg = Cgroups.detect();
// This checkout's cgroups: lab/<project>/<profile> (the project is the checkout directory's name).
const project = loadCompose(root).project;

function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(join(root, 'lab'), args, { cwd: root, timeout: 180_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Status of the reference profile only: other profiles may be up on a developer's machine. */
async function status(): Promise<ProfileStatus[]> {
  const r = await lab('status', '--json');
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as ProfileStatus[]).filter((p) => p.profile === 'reference');
}

/** Every directory the lab could have left for a profile, in every hierarchy. */
function labCgroupDirs(profile: string, inProject = project): string[] {
  const dirs = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', ''].map((c) =>
    join('/sys/fs/cgroup', c, 'lab', inProject, profile),
  );
  return dirs.filter((d) => existsSync(d));
}

describe('./lab on the real cgroups of this machine', { concurrency: false }, () => {
  before(async () => {
    assert.ok(cg, 'this machine has no cgroup filesystem: the lab cannot enforce budgets here');
    assert.equal(cg.writable(), null, 'cgroups are not writable: run the tests as root on Linux');
    await lab('down', 'reference');
  });
  after(async () => {
    await lab('down', 'reference');
  });

  test('up reference: healthy, inside its cgroup, budget read back equals .env, verify passes', async () => {
    const up = await lab('up', 'reference');
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /reference is up \(budget: /);

    const [p] = await status();
    assert.equal(p?.profile, 'reference');
    assert.equal(p.limited, true);
    assert.deepEqual(p.budget, {
      cpus: Number(env['LAB_CPUS']),
      cpuset: env['LAB_SUT_CPUSET'],
      memoryBytes: parseBytes(env['LAB_MEMORY']!),
    });
    const svc = p.services[0]!;
    assert.equal(svc.healthy, true);

    // Straight from the kernel's files, not through the lab's own reader.
    if (cg!.version === 1) {
      const quota = Number(
        readFileSync(`/sys/fs/cgroup/cpu/lab/${project}/reference/cpu.cfs_quota_us`, 'utf8'),
      );
      const period = Number(
        readFileSync(`/sys/fs/cgroup/cpu/lab/${project}/reference/cpu.cfs_period_us`, 'utf8'),
      );
      assert.equal(quota / period, Number(env['LAB_CPUS']));
      assert.equal(
        readFileSync(`/sys/fs/cgroup/cpuset/lab/${project}/reference/cpuset.cpus`, 'utf8').trim(),
        env['LAB_SUT_CPUSET'],
      );
      assert.equal(
        Number(readFileSync(`/sys/fs/cgroup/memory/lab/${project}/reference/memory.limit_in_bytes`, 'utf8')),
        parseBytes(env['LAB_MEMORY']!),
      );
    }
    const membership = readFileSync(`/proc/${svc.pid}/cgroup`, 'utf8');
    assert.ok(membership.includes(`lab/${project}/reference/reference`), membership);
    const allowed = readFileSync(`/proc/${svc.pid}/status`, 'utf8').match(/Cpus_allowed_list:\s*(\S+)/)?.[1];
    assert.equal(allowed, env['LAB_SUT_CPUSET']);

    const report = await verifyTarget({
      baseUrl: 'http://127.0.0.1:8080',
      adminToken: env['LAB_ADMIN_TOKEN']!,
      concurrency: false,
    });
    assert.deepEqual(
      report.checks.filter((c) => !c.pass).map((c) => `${c.name}: ${c.detail}`),
      [],
    );
  });

  test('freeze (--order scenario): every process of the profile stopped, and after thaw it answers again', async () => {
    const l = new Lab({ root, env: process.env, log: () => undefined });
    const driver = new NativeDriver(l, { env: process.env, noLimits: false, log: () => undefined });
    const t = l.compose.targets.find((x) => x.name === 'reference')!;
    const pids = l.processes('reference');
    assert.ok(pids.length >= 1, 'the profile has processes');
    const state = (pid: number) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    };
    const health = () =>
      fetch('http://127.0.0.1:8080/health', { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status,
        () => 'no answer',
      );
    driver.freeze(t);
    try {
      for (let i = 0; i < 50 && !pids.every((p) => state(p) === 'T'); i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(
        pids.map(state),
        pids.map(() => 'T'),
      );
      assert.equal(await health(), 'no answer');
    } finally {
      driver.thaw(t);
    }
    assert.ok(
      pids.every((p) => state(p) !== 'T'),
      pids.map(state).join(' '),
    );
    assert.equal(await health(), 200);
  });

  test('a SIGKILLed service shows as DEAD, and down still cleans everything up', async () => {
    const [p] = await status();
    const pid = p!.services[0]!.pid;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    const [after] = await status();
    assert.equal(after!.services[0]!.alive, false);
    const text = await lab('status');
    assert.match(text.stdout, /reference\s+pid \d+\s+DEAD/);

    const down = await lab('down', 'reference');
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(labCgroupDirs('reference'), []);
    assert.equal(existsSync(join(root, '.lab/state/reference.json')), false);
    assert.deepEqual(await status(), []);
    const again = await lab('down', 'reference');
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing was running/);
  });

  test('a stale earlier run (a process left in the cgroups, state still there) is cleaned up by up', async () => {
    assert.equal((await lab('up', 'reference')).code, 0);
    const [p] = await status();
    const oldPid = p!.services[0]!.pid;
    // Simulate a crashed launcher: the state says nothing healthy is there, but the process lives on.
    const stateFile = join(root, '.lab/state/reference.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    state.services.reference.pid = 999_999;
    writeFileSync(stateFile, JSON.stringify(state));
    const up = await lab('up', 'reference');
    assert.equal(up.code, 0, up.stderr);
    assert.equal(isAlive(oldPid), false, 'the stale process was stopped');
    const [now] = await status();
    assert.notEqual(now!.services[0]!.pid, oldPid);
    assert.equal(now!.services[0]!.healthy, true);
    assert.equal((await lab('down', 'reference')).code, 0);
    assert.deepEqual(labCgroupDirs('reference'), []);
  });

  test('a stale PID in the state file (its process gone, the PID reused by another) is never signalled', async () => {
    // The unrelated process: started here, its PID written into the state as if the lab had started it before a
    // reboot (another start time), and with the start time missing as an older lab wrote it.
    const unrelated = spawn('sleep', ['300'], { stdio: 'ignore' });
    await new Promise((r) => unrelated.once('spawn', r));
    const pid = unrelated.pid!;
    const stateFile = join(root, '.lab/state/reference.json');
    const stale = (pidStartTime?: string) => {
      mkdirSync(join(root, '.lab/state'), { recursive: true });
      writeFileSync(
        stateFile,
        JSON.stringify({
          profile: 'reference',
          startedAt: '2026-12-01T00:00:00.000Z',
          limited: true,
          cgroupVersion: cg!.version,
          cgroup: `lab/${project}/reference`,
          services: {
            reference: {
              pid,
              ...(pidStartTime ? { pidStartTime } : {}),
              cgroup: `lab/${project}/reference/reference`,
              startedAt: '2026-12-01T00:00:00.000Z',
              command: ['node'],
              log: '',
              memLimitBytes: null,
              sut: true,
            },
          },
        }),
      );
    };
    try {
      assert.notEqual(startTimeOf(pid), '1');
      stale('1');
      const st = await lab('status');
      assert.match(st.stdout, new RegExp(`reference\\s+pid ${pid}\\s+DEAD`), 'not ours: shown as dead');
      const down = await lab('down', 'reference');
      assert.equal(down.code, 0, down.stderr);
      assert.equal(isAlive(pid), true, 'down left the unrelated process alone');
      assert.equal(existsSync(stateFile), false, 'the stale state is gone');

      stale();
      const up = await lab('up', 'reference');
      assert.equal(up.code, 0, up.stderr);
      assert.equal(isAlive(pid), true, 'up left the unrelated process alone');
      const [p] = await status();
      assert.notEqual(p!.services[0]!.pid, pid);
      assert.equal(p!.services[0]!.healthy, true);
      assert.equal((await lab('down', 'reference')).code, 0);
      assert.equal(isAlive(pid), true);
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  test('a service that dies before health: its log lines are shown and nothing is left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-fail-'));
    try {
      writeFileSync(
        join(dir, 'docker-compose.yml'),
        `services:
  doomed:
    profiles: [labtest-doomed]
    cpuset: "\${LAB_SUT_CPUSET}"
    mem_limit: "\${LAB_MEMORY}"
    command: [node, -e, "console.log('boom: missing config'); setTimeout(() => process.exit(3), 200)"]
    healthcheck: { test: [CMD, "false"], interval: 1s, retries: 3 }
    x-native: { health: { url: "http://127.0.0.1:9/never" } }
`,
      );
      writeFileSync(join(dir, 'package.json'), '{}');
      writeFileSync(join(dir, '.env'), readFileSync(join(root, '.env')));
      const l = new Lab({ root: dir, env: { PATH: process.env['PATH'] }, log: () => undefined });
      await assert.rejects(l.up('labtest-doomed'), (e: Error) => {
        assert.ok(e instanceof LabError);
        assert.match(e.message, /doomed: exited before becoming healthy/);
        assert.match(e.message, /boom: missing config/);
        return true;
      });
      assert.deepEqual(labCgroupDirs('labtest-doomed', l.compose.project), []);
      // A whole-checkout down also removes the temporary checkout's own empty group (`lab/<checkout>`).
      await l.down(undefined, { quiet: true });
      const own = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', ''].map((c) =>
        join('/sys/fs/cgroup', c, 'lab', l.compose.project),
      );
      assert.deepEqual(
        own.filter((d) => existsSync(d)),
        [],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad arguments are usage errors (exit 2) with one clear line', async () => {
    const cases: [string[], RegExp][] = [
      [['up'], /up: which profile/],
      [['up', 'nope'], /unknown profile "nope"/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['up', 'reference', '--timeout', 'soon'], /--timeout must be a positive integer/],
      [['logs', 'nope'], /unknown service "nope"/],
      [['status', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, re] of cases) {
      const r = await lab(...args);
      assert.ok(r.code === 2 || r.code === 1, `${args.join(' ')} -> ${r.code}`);
      assert.match(r.stderr, re);
    }
    assert.equal((await lab('up', 'nope')).code, 2);
  });
});

describe('./lab without writable cgroups', () => {
  test('refuses without --no-limits; with it, starts unlimited and says so', async () => {
    const run = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          join(root, 'lab'),
          args,
          { cwd: root, env: { ...process.env, LAB_CGROUP_ROOT: '/nonexistent' } },
          (err, stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const refused = await run('up', 'reference');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /cannot enforce the budget.*--no-limits/s);
    try {
      const up = await run('up', 'reference', '--no-limits');
      assert.equal(up.code, 0, up.stderr);
      assert.match(up.stdout, /budget: UNLIMITED/);
      assert.match((await run('status')).stdout, /reference: budget UNLIMITED/);
    } finally {
      assert.equal((await run('down', 'reference')).code, 0);
    }
    assert.doesNotMatch((await run('status')).stdout, /reference/);
  });
});
