/**
 * Two checkouts on one machine never touch each other: each is its own compose project, named after its
 * directory, and its cgroups live under lab/<project>/. A second benchmark run in the same checkout is refused
 * while the first one lives, and a lock left by a dead run is taken over.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Cgroups } from '../src/lab/cgroup.js';
import { projectName } from '../src/lab/compose.js';
import { isAlive, Lab, LabError } from '../src/lab/launcher.js';
import { LabPaths } from '../src/lab/paths.js';
import { startTimeOf } from '../src/lab/pid.js';
import { acquireRunLock, RunLockError, runLockFile } from '../src/lab/run-lock.js';
import { repoRoot } from '../src/lib/env-file.js';

const root = repoRoot();

describe('project name (as docker compose derives it)', () => {
  test('the checkout directory, normalised; COMPOSE_PROJECT_NAME and name: override it', () => {
    assert.equal(projectName('/home/me/Backend.Lab Copy', {}, {}), 'backendlabcopy');
    assert.equal(projectName('/srv/_lab-2', {}, {}), 'lab-2');
    assert.equal(projectName('/srv/x', {}, { name: 'fromfile' }), 'fromfile');
    assert.equal(projectName('/srv/x', { COMPOSE_PROJECT_NAME: 'Mine' }, { name: 'fromfile' }), 'mine');
    assert.throws(() => projectName('/srv/___', {}, {}), /set COMPOSE_PROJECT_NAME/);
  });
});

/** A checkout with one tiny profile: a process that only sleeps, healthy at once (publishing `port`, if given). */
function checkout(parent: string, name: string, port?: number): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'docker-compose.yml'),
    `services:
  sleeper:
    profiles: [labtest-twin]
    cpuset: "\${LAB_SUT_CPUSET}"
    mem_limit: "\${LAB_MEMORY}"
    command: [node, -e, "setInterval(() => {}, 1000)"]
    healthcheck: { test: [CMD, "true"] }
    x-native: {}
${port ? `    ports: ["127.0.0.1:${port}:${port}"]\n` : ''}`,
  );
  writeFileSync(join(dir, 'package.json'), '{}');
  writeFileSync(join(dir, '.env'), readFileSync(join(root, '.env')));
  return dir;
}

describe('two checkouts on one machine', { concurrency: false }, () => {
  let parent: string;
  let a: Lab;
  let b: Lab;
  const cg = Cgroups.detect();

  before(() => {
    assert.ok(cg && cg.writable() === null, 'cgroups are not writable: run the tests as root on Linux');
    parent = mkdtempSync(join(tmpdir(), 'lab-checkouts-'));
    const env = { PATH: process.env['PATH'] };
    a = new Lab({ root: checkout(parent, 'lab-a'), env, log: () => undefined });
    b = new Lab({ root: checkout(parent, 'lab-b'), env, log: () => undefined });
  });
  after(async () => {
    await a.down().catch(() => undefined);
    await b.down().catch(() => undefined);
    rmSync(parent, { recursive: true, force: true });
  });

  test('same profile in both: separate cgroups; status and down in one leave the other alone', async () => {
    assert.equal(a.compose.project, 'lab-a');
    const sa = await a.up('labtest-twin');
    const sb = await b.up('labtest-twin');
    assert.equal(sa.cgroup, 'lab/lab-a/labtest-twin');
    assert.equal(sb.cgroup, 'lab/lab-b/labtest-twin');
    const pidB = sb.services['sleeper']!.pid;
    assert.deepEqual(
      (await a.status()).map((p) => p.profile),
      ['labtest-twin'],
    );
    assert.deepEqual(
      (await a.status())[0]!.services.map((s) => s.pid),
      [sa.services['sleeper']!.pid],
    );
    assert.deepEqual(await a.down(), ['sleeper']);
    assert.equal(isAlive(sa.services['sleeper']!.pid), false);
    assert.equal(isAlive(pidB), true, "checkout b's service survived a bare down in checkout a");
    assert.equal(cg!.exists('lab/lab-b/labtest-twin'), true);
    assert.equal(cg!.exists('lab/lab-a'), false, "checkout a's group is removed once empty");
    assert.deepEqual(await b.down('labtest-twin'), ['sleeper']);
    assert.equal(isAlive(pidB), false);
  });

  test("a port already taken (another checkout's server) is refused: its health would pass for ours", async () => {
    const other = createServer();
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as AddressInfo).port;
    try {
      const c = new Lab({
        root: checkout(parent, 'lab-c', port),
        env: { PATH: process.env['PATH'] },
        log: () => undefined,
      });
      await assert.rejects(
        c.up('labtest-twin'),
        (e: Error) =>
          e instanceof LabError &&
          new RegExp(`sleeper: port ${port} on 127\\.0\\.0\\.1 is already taken`).test(e.message),
      );
      assert.equal(cg!.exists('lab/lab-c/labtest-twin'), false, 'nothing was started');
    } finally {
      other.close();
    }
  });
});

describe('one benchmark run per checkout', () => {
  let dir: string;
  let sleeper: ChildProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-lock-'));
    sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    await new Promise((r) => sleeper.once('spawn', r));
  });
  after(() => {
    sleeper.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const lockOf = (pid: number, pidStartTime: string | null) =>
    `${JSON.stringify({ pid, pidStartTime, what: 'run x', since: '2026-12-04T00:00:00Z' })}\n`;

  test('refused while the holder lives, taken again once released', () => {
    const paths = new LabPaths(dir);
    const release = acquireRunLock(paths, 'first');
    assert.throws(
      () => acquireRunLock(paths, 'second'),
      (e: Error) =>
        e instanceof RunLockError && /another benchmark run is in progress .*first, pid \d+/.test(e.message),
    );
    release();
    assert.equal(existsSync(runLockFile(paths)), false);
    acquireRunLock(paths, 'third')();
  });

  test('a lock whose PID now names another process (start time differs) is stale: taken over, process untouched', () => {
    const paths = new LabPaths(dir);
    mkdirSync(paths.lab, { recursive: true });
    writeFileSync(runLockFile(paths), lockOf(sleeper.pid!, '1'));
    const release = acquireRunLock(paths, 'after a reboot');
    assert.match(readFileSync(runLockFile(paths), 'utf8'), /after a reboot/);
    release();
    assert.equal(isAlive(sleeper.pid!), true);
  });

  test('./run-benchmark.sh refuses at once while another run holds the lock of its checkout', () => {
    const file = runLockFile(new LabPaths(root));
    assert.equal(existsSync(file), false, `${file} exists: is a benchmark running in this checkout?`);
    mkdirSync(join(root, '.lab'), { recursive: true });
    writeFileSync(file, lockOf(sleeper.pid!, startTimeOf(sleeper.pid!)));
    try {
      const t0 = Date.now();
      const r = spawnSync(
        join(root, 'run-benchmark.sh'),
        ['reference', '03', '--quick', '--results-dir', dir, '--run-id', 'refused'],
        { cwd: root, env: { ...process.env, LAB_NO_BUILD: '1' }, encoding: 'utf8' },
      );
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /another benchmark run is in progress in this checkout \(run x, pid \d+/);
      assert.ok(Date.now() - t0 < 15_000);
      assert.equal(existsSync(join(dir, 'refused')), false, 'nothing started');
      assert.equal(isAlive(sleeper.pid!), true);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
