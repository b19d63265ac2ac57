import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { formatCpuset, parseBytes, parseCpuset } from '../src/lab/budget.js';
import {
  budgetFromEnv,
  checkProfileRules,
  loadCompose,
  parseDuration,
  profiles,
  resolveProfile,
} from '../src/lab/compose.js';
import { repoRoot } from '../src/lib/env-file.js';

const dirs: string[] = [];
function fixture(
  yaml: string,
  env = 'LAB_CPUS=1\nLAB_MEMORY=1g\nLAB_SUT_CPUSET=1\nLAB_LOADGEN_CPUSET=0\n',
): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-compose-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'docker-compose.yml'), yaml);
  writeFileSync(join(dir, '.env'), env);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ENV_ONLY = { PATH: process.env['PATH'] };

describe('sizes, cpusets, durations', () => {
  test('compose units', () => {
    assert.equal(parseBytes('2048m'), 2 * 1024 ** 3);
    assert.equal(parseBytes('2g'), 2 * 1024 ** 3);
    assert.equal(parseBytes('512MiB'), 512 * 1024 ** 2);
    assert.equal(parseBytes('1073741824'), 1024 ** 3);
    assert.throws(() => parseBytes('lots'), /not a size/);
    assert.deepEqual(parseCpuset('0-2,5'), [0, 1, 2, 5]);
    assert.equal(formatCpuset([5, 0, 1, 2]), '0-2,5');
    assert.throws(() => parseCpuset('a'), /not a cpuset/);
    assert.equal(parseDuration('1m30s', 0), 90);
    assert.equal(parseDuration('500ms', 0), 0.5);
    assert.equal(parseDuration(undefined, 7), 7);
    assert.throws(() => parseDuration('soon', 0), /not a duration/);
  });
});

describe('compose model', () => {
  const dir = fixture(`
x-base: &base
  cpuset: \${LAB_SUT_CPUSET}
  healthcheck: { test: [CMD, "true"], interval: 1s, retries: 5 }
  x-native: { health: { url: "http://127.0.0.1:1/health" } }
services:
  app:
    <<: *base
    profiles: [t]
    command: [node, app.js]
    mem_limit: 768m
    environment: [A=1, "B=x=y"]
    depends_on: { db: { condition: service_healthy }, cache: { condition: service_started } }
  db:
    <<: *base
    profiles: [t]
    command: [postgres, -c, a=b]
    mem_limit: 128m
    stop_signal: SIGINT
    x-native: { command: ["{tool:postgres}", "{compose-args}"], health: { command: ["true"] } }
  cache:
    <<: *base
    profiles: [t]
    command: [cache]
    mem_limit: \${CACHE_MEM:-128m}
  lonely:
    profiles: [other]
    command: [x]
`);
  const c = loadCompose(dir, ENV_ONLY);

  test('merge keys, interpolation with defaults, env lists, stop signals', () => {
    const app = c.services.get('app')!;
    assert.equal(app.cpuset, '1');
    assert.deepEqual(app.environment, { A: '1', B: 'x=y' });
    assert.equal(app.memLimitBytes, 768 * 1024 ** 2);
    assert.equal(c.services.get('cache')!.memLimitBytes, 128 * 1024 ** 2);
    assert.equal(c.services.get('db')!.stopSignal, 'SIGINT');
    assert.deepEqual(c.services.get('db')!.native!.command, ['{tool:postgres}', '{compose-args}']);
    assert.deepEqual(app.native!.command, ['node', 'app.js'], 'x-native.command defaults to command');
  });

  test('a profile starts dependencies first', () => {
    const order = resolveProfile(c, 't').map((s) => s.name);
    assert.ok(order.indexOf('db') < order.indexOf('app'));
    assert.ok(order.indexOf('cache') < order.indexOf('app'));
    assert.deepEqual(profiles(c), ['other', 't']);
    assert.throws(() => resolveProfile(c, 'nope'), /unknown profile "nope"/);
  });

  test('the lab rules: memory shares must sum to LAB_MEMORY', () => {
    const budget = budgetFromEnv(c.env);
    assert.deepEqual(checkProfileRules(c, 't', budget), []);
    const bigger = loadCompose(dir, { ...ENV_ONLY, CACHE_MEM: '256m' });
    assert.match(
      checkProfileRules(bigger, 't', budgetFromEnv(bigger.env)).join('\n'),
      /sum to .* LAB_MEMORY is/,
    );
    const other = checkProfileRules(c, 'other', budget).join('\n');
    assert.match(other, /lonely: no x-native field/);
  });

  test('cycles and missing dependencies are clear errors', () => {
    const cyc = loadCompose(
      fixture(`
services:
  a: { profiles: [p], command: [a], depends_on: [b] }
  b: { profiles: [p], command: [b], depends_on: [a] }
  c: { profiles: [q], command: [c], depends_on: [zz] }
  d: { profiles: [r], command: [d], depends_on: [a] }
`),
      ENV_ONLY,
    );
    assert.throws(() => resolveProfile(cyc, 'p'), /dependency cycle: a -> b -> a/);
    assert.throws(() => resolveProfile(cyc, 'q'), /depends on unknown service zz/);
    assert.throws(() => resolveProfile(cyc, 'r'), /not in profile r/);
  });

  test('budget sanity: overlapping cpusets and too many cpus are refused', () => {
    assert.throws(
      () =>
        budgetFromEnv({ LAB_CPUS: '1', LAB_MEMORY: '1g', LAB_SUT_CPUSET: '0-1', LAB_LOADGEN_CPUSET: '1' }),
      /overlap/,
    );
    assert.throws(
      () => budgetFromEnv({ LAB_CPUS: '2', LAB_MEMORY: '1g', LAB_SUT_CPUSET: '1', LAB_LOADGEN_CPUSET: '0' }),
      /exceeds the 1 core/,
    );
  });

  test('unknown x-native keys and unset variables are refused', () => {
    assert.throws(
      () => loadCompose(fixture('services:\n  a: { command: [a], x-native: { comand: [b] } }\n'), ENV_ONLY),
      /unknown key "comand"/,
    );
    assert.throws(
      () => loadCompose(fixture('services:\n  a: { command: [a], mem_limit: "${NOPE}" }\n'), ENV_ONLY),
      /variable NOPE is not set/,
    );
  });
});

describe("the lab's own docker-compose.yml", () => {
  const c = loadCompose(repoRoot(), ENV_ONLY);
  const budget = budgetFromEnv(c.env);
  test('has the profiles the lab promises', () => {
    for (const p of ['reference', 'loadgen', 'micro', 'microlith', 'mono'])
      assert.ok(profiles(c).includes(p), p);
  });
  for (const p of ['reference', 'harper', 'micro', 'microlith', 'mono']) {
    test(`profile ${p}: every SUT service pinned, limited, native and health-checked; memory sums to LAB_MEMORY`, (t) => {
      if (!profiles(c).includes(p)) {
        // A target lands with its own issue; until then its profile is simply absent, which the next test pins.
        t.diagnostic(`profile ${p} not in docker-compose.yml yet`);
        return;
      }
      assert.deepEqual(checkProfileRules(c, p, budget), []);
    });
  }
});
