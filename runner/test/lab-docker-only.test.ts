/**
 * x-native.docker_only (Grafana): a service that exists only with Docker. ./lab skips it and says why, refuses it
 * for a system-under-test service and when a native service depends on it; `./lab up` takes several profiles.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { budgetFromEnv, ComposeError, checkProfileRules, loadCompose } from '../src/lab/compose.js';
import { Lab } from '../src/lab/launcher.js';
import { readState } from '../src/lab/paths.js';
import { dockerBudgetProblem } from '../src/benchmark/targets.js';
import { repoRoot } from '../src/lib/env-file.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function fixture(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-dockeronly-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'docker-compose.yml'), yaml);
  writeFileSync(join(dir, '.env'), 'LAB_CPUS=1\nLAB_MEMORY=1g\nLAB_SUT_CPUSET=1\nLAB_LOADGEN_CPUSET=0\n');
  return dir;
}

const MON = `
services:
  store:
    image: x
    profiles: [mon]
    cpuset: \${LAB_LOADGEN_CPUSET}
    mem_limit: 64m
    x-native:
      command: [sleep, "30"]
      health: { command: ["true"] }
  viewer:
    image: y
    profiles: [mon]
    cpuset: \${LAB_LOADGEN_CPUSET}
    depends_on:
      store: { condition: service_started }
    x-native:
      docker_only: no native build of the viewer
`;

describe('x-native.docker_only', () => {
  test('parsed with its reason; a command is then optional; an empty reason is refused', () => {
    const c = loadCompose(fixture(MON), { PATH: process.env['PATH'] });
    assert.equal(c.services.get('viewer')!.native!.dockerOnly, 'no native build of the viewer');
    assert.equal(c.services.get('store')!.native!.dockerOnly, null);
    assert.deepEqual(checkProfileRules(c, 'mon', budgetFromEnv(c.env)), []);
    assert.throws(
      () =>
        loadCompose(
          fixture(MON.replace('docker_only: no native build of the viewer', 'docker_only: ""')),
          {},
        ),
      (e: Error) => e instanceof ComposeError && /docker_only must say why/.test(e.message),
    );
  });

  test('never for a system-under-test service', () => {
    const c = loadCompose(
      fixture(`
services:
  app:
    image: x
    profiles: [t]
    cpuset: \${LAB_SUT_CPUSET}
    mem_limit: 1g
    healthcheck: { test: [CMD, "true"] }
    x-native: { docker_only: nope }
`),
      {},
    );
    assert.deepEqual(checkProfileRules(c, 't', budgetFromEnv(c.env)), [
      'app: a system-under-test service cannot be Docker-only (x-native.docker_only)',
    ]);
  });

  test('./lab up starts the others, skips it and says why; down is clean', async () => {
    const dir = fixture(MON);
    const logs: string[] = [];
    const lab = new Lab({
      root: dir,
      env: { PATH: process.env['PATH'] },
      cgroupRoot: join(dir, 'no-cgroups'),
      noLimits: true,
      log: (l) => logs.push(l),
    });
    try {
      const state = await lab.up('mon');
      assert.deepEqual(Object.keys(state.services), ['store']);
      assert.ok(
        logs.some((l) => /viewer: Docker only, not started natively \(no native build/.test(l)),
        logs.join('\n'),
      );
      assert.deepEqual(Object.keys(readState(lab.paths, 'mon')!.services), ['store']);
    } finally {
      await lab.down('mon');
    }
    assert.equal(readState(lab.paths, 'mon'), null);
  });

  test('a native service that depends on a Docker-only one cannot start', async () => {
    const dir = fixture(
      MON.replace('    depends_on:\n      store: { condition: service_started }\n', '').replace(
        '      health: { command: ["true"] }',
        '      health: { command: ["true"] }\n    depends_on:\n      viewer: { condition: service_started }',
      ),
    );
    const lab = new Lab({
      root: dir,
      env: { PATH: process.env['PATH'] },
      cgroupRoot: join(dir, 'no-cgroups'),
      noLimits: true,
      log: () => undefined,
    });
    await assert.rejects(lab.up('mon'), /store depend\(s\) on viewer, which runs only with Docker/);
    assert.equal(readState(lab.paths, 'mon'), null);
  });
});

test('./lab up takes several profiles, and checks them all before starting any', async () => {
  const root = repoRoot();
  const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [join(root, 'runner/dist/src/lab/cli.js'), 'up', 'monitoring', 'nope'],
      { cwd: root },
      (err, _o, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    ),
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /up: unknown profile "nope"/);
  assert.match(r.stderr, /up <profile>\.\.\./);
});

describe('a fractional budget with Docker', () => {
  test('whole cores of the cpuset pass; a share of them is refused with what to do instead', () => {
    assert.equal(dockerBudgetProblem(1, '1'), null);
    assert.equal(dockerBudgetProblem(2, '1-2'), null);
    const why = dockerBudgetProblem(0.5, '1');
    assert.match(why ?? '', /LAB_CPUS=0\.5 is a share of LAB_SUT_CPUSET's 1 core/);
    assert.match(why ?? '', /Run natively, or set LAB_CPUS=1/);
  });
});
