import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { K6Options, K6Run } from '../src/k6/k6.js';
import { loadScenarios, planScenario } from '../src/scenarios/plan.js';
import type { RunnerContext } from '../src/benchmark/context.js';
import { execute } from '../src/benchmark/run.js';
import type { TargetDriver } from '../src/benchmark/targets.js';
import type { Manifest, RunFile } from '../src/results/types.js';
import type { Usage } from '../src/lab/cgroup.js';
import type { LabTarget } from '../src/lab/compose.js';
import { Lab } from '../src/lab/launcher.js';
import type { ToolInfo } from '../src/lab/tools.js';
import { repoRoot } from '../src/lib/env-file.js';
import type { CellSummary } from '../src/stats/aggregate.js';
import type { VerifyOptions, VerifyReport } from '../src/verify/verify.js';
import { fakeK6Run } from './helpers.js';
import { newBenchmarkManifest } from '../src/benchmark/manifest.js';
import { LabPaths } from '../src/lab/paths.js';

const K6: ToolInfo = { name: 'k6', path: 'k6', version: 'v1.8.1', source: 'fake' };

const root = repoRoot();
const catalogue = loadScenarios(root);
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const targets: LabTarget[] = ['a', 'b'].map((n) => ({
  name: n,
  profile: n,
  url: `http://${n}.invalid`,
  available: true,
}));

function usage(cpu: number): Usage {
  return {
    cpuSeconds: cpu,
    periods: cpu * 10,
    throttledPeriods: 0,
    throttledSeconds: 0,
    memoryBytes: 1e7,
    memoryPeakBytes: 2e7,
  };
}

/** A driver that records what the loop asks of it; `dies` names a target that dies after its first run. */
function fakeDriver(events: string[], dies?: string, hangUp = false): TargetDriver {
  let cpu = 0;
  let runs = 0;
  return {
    mode: 'native',
    async up(t, env) {
      const routes = env?.['LAB_HOP_ROUTES'];
      events.push(
        `up ${t.name}${
          routes
            ? ` routed ${Object.keys(JSON.parse(routes) as object)
                .sort()
                .join(' ')}`
            : ''
        }`,
      );
      if (hangUp) await new Promise(() => {});
    },
    async down(t) {
      events.push(`down ${t.name}`);
    },
    freeze(t) {
      events.push(`freeze ${t.name}`);
    },
    thaw(t) {
      events.push(`thaw ${t.name}`);
    },
    alive(t) {
      return !(t.name === dies && runs > 0);
    },
    snapshot() {
      cpu += 1;
      runs += 0.5;
      return { total: usage(cpu), services: { app: usage(cpu) } };
    },
    budget: () => ({ cpus: 1, cpuset: '1', memoryBytes: 2 ** 31 }),
    watched: () => [],
    cgroups: () => null,
  };
}

/** k6 stand-in: target b breaks the SLO at every rate; a meets it up to 200/s. */
function fakeK6(events: string[]) {
  return async (o: K6Options): Promise<K6Run> => {
    const target = o.env['LAB_BASE_URL']!.slice(7, 8);
    const scenario = o.script.split('/').pop()!.slice(0, -3);
    const warm = o.summaryFile.endsWith('.warmup.json');
    const rate = Number(o.env['LAB_RATE'] ?? 0);
    // 09's arrival rates: its warm-up runs at the profile's warmupRate, its steps at their own.
    const at = scenario.startsWith('09') ? ` @${rate}/s` : '';
    events.push(`k6 ${target} ${scenario} ${warm ? 'warm-up' : o.env['LAB_STEP']}${at}`);
    const p99 = target === 'b' && rate > 0 ? 80 : 10;
    return fakeK6Run({
      http_reqs: { count: 1000, rate: target === 'a' ? 1000 : 400 },
      http_req_duration: {
        'p(50)': 1,
        'p(90)': 2,
        'p(95)': 3,
        'p(99)': p99,
        'p(99.9)': 99,
        avg: 1,
        min: 0.1,
        max: 100,
      },
      http_req_failed: { passes: 0, rate: 0 },
      checks: { passes: 2000, fails: 0 },
    });
  };
}

function context(
  events: string[],
  opts: {
    failVerify?: string;
    dies?: string;
    runs?: number;
    scenarios?: string[];
    targets?: LabTarget[];
    lab?: Lab;
    hang?: 'up' | 'verify' | 'reset';
    order?: 'scenario';
    idle?: 'frozen';
  } = {},
): RunnerContext {
  const targetList = opts.targets ?? targets;
  const runDir = mkdtempSync(join(tmpdir(), 'lab-loop-'));
  dirs.push(runDir);
  const planned = (opts.scenarios ?? ['03-pdp', '08-capacity']).map((n) =>
    planScenario(
      catalogue.find((c) => c.name === n)!,
      { quick: true },
    ),
  );
  // The run record as the CLI builds it: one constructor for both.
  const manifest = newBenchmarkManifest({
    root,
    runId: 'loop',
    command: './run-benchmark.sh a,b 03,08',
    options: {
      targets: targetList.map((x) => x.name),
      scenarios: planned.map((p) => p.entry.name),
      runs: opts.runs ?? 2,
      duration: null,
      vus: null,
      rate: null,
      warmup: '1s',
      cooldown: '1s',
      seed: 42,
      scale: 1,
      mode: 'native',
      quick: true,
      noLimits: false,
      ...(opts.order ? { order: opts.order } : {}),
      ...(opts.idle ? { idleTargets: opts.idle } : {}),
    },
    targets: targetList,
    scenarios: planned,
    k6: K6,
    loadgen: { cpuset: '0', cores: 1, pinned: true },
    tools: { paths: new LabPaths(root), env: {}, log: () => {} },
    git: { commit: null, dirty: null },
    host: { cpuModel: 'x', cores: 2, memoryGiB: 1, node: 'v20', kernel: 'x' },
  });
  return {
    root,
    runDir,
    manifest,
    targets: targetList,
    scenarios: planned,
    lab: opts.lab ?? ({ async releaseOneshot() {} } as unknown as Lab),
    driver: fakeDriver(events, opts.dies, opts.hang === 'up'),
    k6: K6,
    adminToken: 'token-token',
    dataFile: '/nonexistent',
    loadgenCpuset: '0',
    log: () => {},
    progressOut: () => {},
    hooks: {
      runK6: fakeK6(events),
      verify: async (o: VerifyOptions): Promise<VerifyReport> => {
        const name = o.baseUrl.slice(7, 8);
        events.push(`verify ${name}`);
        if (opts.hang === 'verify') await new Promise(() => {});
        const ok = name !== opts.failVerify;
        return {
          baseUrl: o.baseUrl,
          target: name,
          seed: 42,
          scale: 1,
          startedAt: 'now',
          durationMs: 1,
          total: 400,
          failed: ok ? 0 : 3,
          ok,
          checks: ok
            ? []
            : [
                {
                  group: 'g',
                  name: 'n',
                  request: 'GET /api/home',
                  pass: false,
                  detail: 'differs at $.featured[0].id',
                  ms: 1,
                },
              ],
        };
      },
      reset: async (url) => {
        events.push(`reset ${url.slice(7, 8)}`);
        if (opts.hang === 'reset') await new Promise(() => {});
      },
      smoke: async (url) => {
        events.push(`smoke ${url.slice(7, 8)}`);
      },
      sleep: async () => {},
    },
  };
}

describe('the benchmark loop (fake driver, fake k6)', () => {
  test('09: its direct step on the target as started, then a restart with every internal hop routed through the real injector, a new warm-up, and each latency step', async () => {
    const events: string[] = [];
    // The lab's own docker-compose.yml (micro's hops) and the real Toxiproxy build, without cgroups.
    const lab = new Lab({
      root,
      cgroupRoot: join(tmpdir(), 'lab-no-cgroups'),
      noLimits: true,
      log: () => {},
    });
    const micro: LabTarget = { name: 'micro', profile: 'micro', url: 'http://m.invalid', available: true };
    const ctx = context(events, {
      runs: 1,
      scenarios: ['03-pdp', '09-network-latency'],
      targets: [micro],
      lab,
    });
    assert.equal(await execute(ctx), 0);
    assert.deepEqual(
      events.filter((e) => !e.startsWith('reset')),
      [
        'up micro',
        'down micro',
        'up micro',
        'verify m',
        'k6 m 03-pdp warm-up',
        'k6 m 03-pdp main',
        'k6 m 09-network-latency warm-up @80/s',
        'k6 m 09-network-latency direct @20/s',
        'down micro',
        'up micro routed 127.0.0.1:27017 127.0.0.1:3001 127.0.0.1:3002 127.0.0.1:3003 127.0.0.1:3004 127.0.0.1:3005',
        'smoke m',
        'k6 m 09-network-latency warm-up @80/s',
        'k6 m 09-network-latency hop-0ms @20/s',
        'k6 m 09-network-latency hop-1ms @20/s',
        'down micro',
      ],
    );
  });

  test('targets interleave run by run, one at a time; a first start never measured; verify once, smoke after; warm-up per start; ladders stop at the first miss', async () => {
    const events: string[] = [];
    const ctx = context(events);
    const code = await execute(ctx);
    assert.equal(code, 0);
    const trimmed = events.filter((e) => !e.startsWith('reset'));
    // One visit of a target: up (the first start of a run is restarted: it may have seeded), verify (first run)
    // or smoke (after), 03 and 08 each after a warm-up, down.
    const visit = (t: string, check: 'verify' | 'smoke', ladder: string[]) => [
      ...(check === 'verify' ? [`up ${t}`, `down ${t}`] : []),
      `up ${t}`,
      `${check} ${t}`,
      `k6 ${t} 03-pdp warm-up`,
      `k6 ${t} 03-pdp main`,
      `k6 ${t} 08-capacity warm-up`,
      ...ladder.map((step) => `k6 ${t} 08-capacity ${step}`),
      `down ${t}`,
    ];
    // a meets the SLO at 100/s and 200/s (the last rate of the quick ladder); b misses it at 100/s.
    const ladderA = ['rate-100', 'rate-200'];
    const ladderB = ['rate-100'];
    assert.deepEqual(trimmed, [
      ...visit('a', 'verify', ladderA),
      ...visit('b', 'verify', ladderB),
      ...visit('a', 'smoke', ladderA),
      ...visit('b', 'smoke', ladderB),
    ]);
    // A reset before every warm-up and every measured step.
    assert.equal(
      events.filter((e) => e.startsWith('reset')).length,
      events.filter((e) => e.startsWith('k6')).length,
    );
    const m = JSON.parse(readFileSync(join(ctx.runDir, 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(m.status, 'complete');
    assert.equal(m.targets['a']!.verify?.ok, true);
    const run = JSON.parse(
      readFileSync(join(ctx.runDir, 'a', '08-capacity', 'run-02.json'), 'utf8'),
    ) as RunFile;
    assert.deepEqual(run.capacity, { rate: 200, step: 'rate-200', sloP99Ms: 50 });
    const b = JSON.parse(
      readFileSync(join(ctx.runDir, 'b', '08-capacity', 'summary.json'), 'utf8'),
    ) as CellSummary;
    assert.deepEqual(b.capacity?.values, [null, null]);
    const md = readFileSync(join(ctx.runDir, 'summary.md'), 'utf8');
    assert.match(md, /\| b \| 2\/2 \| p99 ≤ 50 ms \| < 100 \|/);
    assert.match(md, /\| a \/ b \| main \| req\/s \| 2\.500× \|/);
  });

  test('--order scenario: every target restarted and up at the start of a round, each scenario on every target back to back; a target that dies is dropped, the others go on', async () => {
    const events: string[] = [];
    const ctx = context(events, { order: 'scenario' });
    assert.equal(await execute(ctx), 0);
    const cells = (ladderA: string[], ladderB: string[]) => [
      'k6 a 03-pdp warm-up',
      'k6 a 03-pdp main',
      'k6 b 03-pdp warm-up',
      'k6 b 03-pdp main',
      'k6 a 08-capacity warm-up',
      ...ladderA.map((step) => `k6 a 08-capacity ${step}`),
      'k6 b 08-capacity warm-up',
      ...ladderB.map((step) => `k6 b 08-capacity ${step}`),
    ];
    assert.deepEqual(
      events.filter((e) => !e.startsWith('reset')),
      [
        ...['up a', 'down a', 'up a', 'verify a', 'up b', 'down b', 'up b', 'verify b'],
        ...cells(['rate-100', 'rate-200'], ['rate-100']),
        ...['down a', 'down b', 'up a', 'smoke a', 'up b', 'smoke b'],
        ...cells(['rate-100', 'rate-200'], ['rate-100']),
        ...['down a', 'down b'],
      ],
    );
    const m = JSON.parse(readFileSync(join(ctx.runDir, 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(m.status, 'complete');
    assert.equal(m.options.order, 'scenario');

    const dying: string[] = [];
    const ctx2 = context(dying, { order: 'scenario', dies: 'a', runs: 1 });
    assert.equal(await execute(ctx2), 1);
    const m2 = JSON.parse(readFileSync(join(ctx2.runDir, 'manifest.json'), 'utf8')) as Manifest;
    assert.match(m2.reason!, /a died during 03-pdp · a · run 1\/1/);
    assert.ok(existsSync(join(ctx2.runDir, 'b', '03-pdp', 'run-01.json')), 'b measured after a died');
    assert.ok(existsSync(join(ctx2.runDir, 'b', '08-capacity', 'run-01.json')), 'and on the next scenario');
    assert.ok(!dying.some((e) => e.startsWith('k6 a 08')), 'a is not measured after it died');
  });

  test('--order scenario, idle targets frozen: each target thawed for its own cells only, and thawed before any stop', async () => {
    const events: string[] = [];
    const ctx = context(events, { order: 'scenario', idle: 'frozen', scenarios: ['03-pdp'] });
    assert.equal(await execute(ctx), 0);
    const shown = events.filter((e) => /^(up|down|freeze|thaw|verify|smoke)|main$/.test(e));
    assert.deepEqual(shown, [
      ...['up a', 'down a', 'up a', 'verify a', 'up b', 'down b', 'up b', 'verify b', 'freeze a', 'freeze b'],
      ...['thaw a', 'k6 a 03-pdp main', 'freeze a', 'thaw b', 'k6 b 03-pdp main', 'freeze b'],
      ...[
        'thaw a',
        'down a',
        'thaw b',
        'down b',
        'up a',
        'smoke a',
        'up b',
        'smoke b',
        'freeze a',
        'freeze b',
      ],
      ...['thaw a', 'k6 a 03-pdp main', 'freeze a', 'thaw b', 'k6 b 03-pdp main', 'freeze b'],
      ...['thaw a', 'down a', 'thaw b', 'down b'],
    ]);
    const m = JSON.parse(readFileSync(join(ctx.runDir, 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(m.options.idleTargets, 'frozen');
  });

  test('a target failing verify is never timed, the others still are: exit 1, incomplete, everything down', async () => {
    const events: string[] = [];
    const ctx = context(events, { failVerify: 'b' });
    const code = await execute(ctx);
    assert.equal(code, 1);
    const m = JSON.parse(readFileSync(join(ctx.runDir, 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(m.status, 'incomplete');
    assert.match(
      m.reason!,
      /b fails the verify suite \(3 of 400 checks\): not timing it\. First: GET \/api\/home: differs at/,
    );
    assert.ok(!events.some((e) => e.startsWith('k6 b')), 'b was never timed');
    assert.equal(events[events.indexOf('verify b') + 1], 'down b', 'b is stopped at once');
    assert.equal(events.filter((e) => e === 'verify b').length, 1, 'b is not retried in run 2');
    for (const n of [1, 2])
      assert.ok(existsSync(join(ctx.runDir, 'a', '03-pdp', `run-0${n}.json`)), `a run ${n}`);
    assert.ok(!existsSync(join(ctx.runDir, 'b', '03-pdp')));
    for (const t of ['a', 'b'])
      assert.ok(events.lastIndexOf(`down ${t}`) > events.lastIndexOf(`up ${t}`), `${t} down`);
    const verify = JSON.parse(readFileSync(join(ctx.runDir, 'b', 'verify.json'), 'utf8')) as {
      failures: unknown[];
    };
    assert.equal(verify.failures.length, 1);
  });

  test('a target that dies mid-run: what was written stays, the run is incomplete and can be resumed', async () => {
    const events: string[] = [];
    const ctx = context(events, { dies: 'a', runs: 1 });
    const code = await execute(ctx);
    assert.equal(code, 1);
    const m = JSON.parse(readFileSync(join(ctx.runDir, 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(m.status, 'incomplete');
    assert.ok(existsSync(join(ctx.runDir, 'b', '03-pdp', 'run-01.json')), 'b was still measured');
    assert.match(m.reason!, /a died during 03-pdp · a · run 1\/1/);
    assert.deepEqual(
      readdirSync(join(ctx.runDir, 'a', '03-pdp')).filter((f) => f.startsWith('run-')),
      [],
    );
    // Resume with a healthy driver: only what is missing runs.
    const again: string[] = [];
    const ctx2 = context(again, { runs: 1 });
    const code2 = await execute({ ...ctx2, runDir: ctx.runDir, manifest: m });
    assert.equal(code2, 0);
    const m2 = JSON.parse(readFileSync(join(ctx.runDir, 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(m2.status, 'complete');
    assert.equal(m2.sessions.length, 2);
    assert.ok(existsSync(join(ctx.runDir, 'b', '08-capacity', 'run-01.json')));
  });

  for (const hang of ['up', 'verify', 'reset'] as const) {
    test(`Ctrl-C while a ${hang} is still running stops the run at once: exit 130, incomplete, target down`, async () => {
      const events: string[] = [];
      const ctx = context(events, { hang });
      const started = Date.now();
      const run = execute(ctx);
      while (!events.some((e) => e.startsWith(hang))) await new Promise((r) => setTimeout(r, 10));
      process.emit('SIGINT', 'SIGINT');
      assert.equal(await run, 130);
      assert.ok(Date.now() - started < 5_000, `stopped after ${Date.now() - started} ms`);
      const m = JSON.parse(readFileSync(join(ctx.runDir, 'manifest.json'), 'utf8')) as Manifest;
      assert.equal(m.status, 'incomplete');
      assert.equal(m.reason, 'interrupted by SIGINT');
      assert.equal(events[events.length - 1], 'down b');
      assert.ok(events.includes('down a'), events.join(', '));
    });
  }
});
