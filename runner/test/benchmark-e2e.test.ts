import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Manifest, ResourcesFile, RunFile } from '../src/results/types.js';
import { Cgroups } from '../src/lab/cgroup.js';
import { budgetFromEnv, loadCompose } from '../src/lab/compose.js';
import { repoRoot } from '../src/lib/env-file.js';
import type { CellSummary } from '../src/stats/aggregate.js';

const root = repoRoot();
// The launcher's CLI without ./lab's rebuild check (other workspaces may be mid-edit; the runner's build is ours).
const labCli = join(root, 'runner', 'dist', 'src', 'lab', 'cli.js');
const cg = Cgroups.detect();
// A lab-wide Node flag, to check that the run records it (and that a resume keeps it).
const ENV = { ...process.env, LAB_NO_BUILD: '1', LAB_NODE_OPTIONS: '--v8-pool-size=2' };
let results: string;
// The committed budget (.env), as the cgroups must read it back.
const committed = budgetFromEnv(loadCompose(root).env);
const budget = { cpus: committed.cpus, cpuset: committed.sutCpuset, memoryBytes: committed.memoryBytes };

function sh(
  cmd: string,
  args: string[],
  timeout = 300_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: root, env: ENV, timeout, maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const bench = (...args: string[]) => sh(join(root, 'run-benchmark.sh'), [...args, '--results-dir', results]);

/** Every cgroup directory the lab could have left for a profile, in every hierarchy. */
function leftCgroups(profile: string): string[] {
  return ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', '']
    .map((c) => join('/sys/fs/cgroup', c, 'lab', loadCompose(root).project, profile))
    .filter((d) => existsSync(d));
}

/** Nothing of ours is left: no reference or loadgen profile in `./lab status`, no cgroup for either. */
async function nothingLeft(log = ''): Promise<void> {
  const st = await sh(process.execPath, [labCli, 'status', '--json']);
  assert.equal(st.code, 0, st.stderr);
  const profiles = (JSON.parse(st.stdout) as { profile: string }[]).map((p) => p.profile);
  assert.deepEqual(
    profiles.filter((p) => p === 'reference' || p === 'loadgen'),
    [],
    `${st.stdout}\n--- runner:\n${log}`,
  );
  assert.deepEqual(leftCgroups('reference'), []);
  assert.deepEqual(leftCgroups('loadgen'), []);
}

describe(
  './run-benchmark.sh end to end against reference (real cgroups, real k6)',
  {
    concurrency: false,
  },
  () => {
    before(async () => {
      assert.ok(cg, 'this machine has no cgroup filesystem');
      assert.equal(cg.writable(), null, 'cgroups are not writable: run the tests as root on Linux');
      results = mkdtempSync(join(tmpdir(), 'lab-results-'));
      await sh(process.execPath, [labCli, 'down', 'reference']);
    });
    after(async () => {
      await sh(process.execPath, [labCli, 'down', 'reference']);
      await sh(process.execPath, [labCli, 'down', 'loadgen']);
      rmSync(results, { recursive: true, force: true });
    });

    test('reference 03 --quick: verifies, measures, writes every result file, leaves nothing running', async () => {
      const r = await bench('reference', '03', '--quick', '--mode', 'native', '--run-id', 'smoke');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /verify passed \(\d+ checks/);
      assert.match(r.stderr, /\| reference \| 1\/1 \| [\d,]+ \|/);
      assert.match(
        r.stderr,
        /report: \.\/run-benchmark\.sh report smoke --results-dir \S+ +\(writes \S+smoke\/report\.md; --publish replaces docs\/benchmark-results\.md\)/,
      );
      const dir = join(results, 'smoke');
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
      assert.equal(m.status, 'complete');
      assert.equal(m.options.quick, true);
      assert.deepEqual(m.targets['reference']!.budget, budget);
      assert.equal(m.targets['reference']!.verify?.ok, true);
      assert.match(m.versions['k6'] ?? '', /^v1\.8\.1$/);
      assert.ok(m.host.cores > 0 && m.host.cpuModel);
      // The boot it ran on, in the machine and in its session; the Node flags every Node target started with.
      const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      assert.equal(m.host.bootId, boot);
      assert.equal(m.sessions[0]!.bootId, boot);
      assert.equal(m.options.nodeOptions, '--v8-pool-size=2');
      // The load generator's ceiling, against the null endpoint, before any target started.
      assert.equal(m.calibrations?.length, 1);
      assert.ok(m.calibrations[0]!.rps > 0 && m.calibrations[0]!.ceilingRps >= m.calibrations[0]!.rps);
      assert.equal(m.calibrations[0]!.checksFailed, 0, 'the null endpoint passes calibration mode checks');
      const cell = join(dir, 'reference', '03-pdp');
      assert.deepEqual(readdirSync(cell).sort(), [
        'resources-01.json',
        'run-01.json',
        'summary.json',
        'summary.md',
      ]);
      const run = JSON.parse(readFileSync(join(cell, 'run-01.json'), 'utf8')) as RunFile;
      const s = run.steps[0]!;
      assert.ok(s.metrics.requests > 0, 'requests were made');
      assert.equal(s.metrics.failedRequests, 0);
      assert.equal(s.metrics.checksFailed, 0, 'every body check passed');
      assert.ok(s.metrics.latencyMs.p999 >= s.metrics.latencyMs.p50 && s.metrics.latencyMs.p50 > 0);
      const res = JSON.parse(readFileSync(join(cell, 'resources-01.json'), 'utf8')) as ResourcesFile;
      const rs = res.steps[0]!;
      assert.ok(rs.sut && rs.sut.cpuSeconds > 0, 'SUT CPU read from its cgroup');
      assert.deepEqual(rs.sut.budget, budget);
      assert.ok((rs.sut.peakMemoryBytes ?? 0) > 1e6, 'peak memory');
      assert.ok(['reset-v1', 'reset-v2', 'sampled'].includes(rs.sut.peakMethod));
      assert.ok(Object.keys(rs.sut.services).includes('reference'));
      assert.ok(rs.drift && rs.drift.probeMs > 0, 'the speed probe ran before the run');
      assert.equal(rs.loadgen.pinned, true);
      assert.equal(rs.loadgen.cpuset, '0');
      assert.ok((rs.loadgen.cpuSeconds ?? 0) > 0, 'k6 CPU read from its cgroup');
      const summary = JSON.parse(readFileSync(join(cell, 'summary.json'), 'utf8')) as CellSummary;
      assert.equal(summary.steps[0]!.n, 1);
      assert.ok(existsSync(join(dir, 'summary.md')));
      await nothingLeft();
    });

    test('SIGINT mid-run: partial results kept and marked incomplete, nothing left behind; --resume completes it', async () => {
      const child = spawn(
        join(root, 'run-benchmark.sh'),
        [
          'reference',
          '00',
          '--runs',
          '3',
          '--duration',
          '3s',
          '--warmup',
          '1s',
          '--cooldown',
          '0s',
          '--mode',
          'native',
          '--run-id',
          'interrupted',
          '--results-dir',
          results,
        ],
        { cwd: root, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let err = '';
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      const first = join(results, 'interrupted', 'reference', '00-baseline', 'run-01.json');
      const t0 = Date.now();
      while (!existsSync(first) && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 200));
      assert.ok(existsSync(first), `run 1 was never written: ${err}`);
      await new Promise((r) => setTimeout(r, 1500)); // inside run 2
      child.kill('SIGINT');
      const code = await exited;
      assert.equal(code, 130, err);
      const dir = join(results, 'interrupted');
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
      assert.equal(m.status, 'incomplete');
      assert.match(m.reason ?? '', /SIGINT/);
      const files = readdirSync(join(dir, 'reference', '00-baseline'));
      assert.ok(files.includes('run-01.json') && !files.includes('run-03.json'), files.join(' '));
      assert.ok(!files.some((f) => f.startsWith('.')), `no temporary files: ${files.join(' ')}`);
      const cell = JSON.parse(
        readFileSync(join(dir, 'reference', '00-baseline', 'summary.json'), 'utf8'),
      ) as CellSummary;
      assert.ok(cell.steps[0]!.flags.includes('incomplete'));
      await nothingLeft(err);

      const r = await bench('--resume', 'interrupted');
      assert.equal(r.code, 0, r.stderr);
      const m2 = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
      assert.equal(m2.status, 'complete');
      assert.equal(m2.sessions.length, 2);
      assert.deepEqual(
        readdirSync(join(dir, 'reference', '00-baseline'))
          .filter((f) => f.startsWith('run-'))
          .sort(),
        ['run-01.json', 'run-02.json', 'run-03.json'],
      );
      await nothingLeft();
    });
  },
);
