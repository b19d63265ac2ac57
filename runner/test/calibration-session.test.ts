/**
 * The runner's calibration step (measureCeiling) without k6: the "k6" it is given is a stand-in script that
 * records how it was run, checks that the null endpoint it was pointed at answers, and writes the summary a k6
 * run would (or fails without one). The stand-in Lab spawns it directly; no cgroup, so no CPU share, except in
 * the test that stands in for the cgroup's counters too. Not covered here: a real k6 run of scenario 03 against
 * the null endpoint, and real cgroup accounting of k6's CPU (the benchmark's own runs exercise those).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ceilingFrom } from '../src/calibration/calibrate.js';
import { NULL_BODY } from '../src/calibration/null-server.js';
import { measureCeiling } from '../src/calibration/session.js';
import type { Cgroups, Usage } from '../src/lab/cgroup.js';
import type { Lab } from '../src/lab/launcher.js';
import type { ScenarioEntry } from '../src/scenarios/plan.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-calibration-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The stand-in k6: FAKE_K6_MODE "ok" writes a summary (FAKE_K6_CHECKS_FAILED failed checks) to LAB_SUMMARY;
 * "fail" writes none and exits 107. Either way it records its argv, the LAB_* variables and the null
 * endpoint's answer to FAKE_K6_RECORD.
 */
const FAKE_K6 = join(dir, 'k6');
writeFileSync(
  FAKE_K6,
  `#!${process.execPath}
const fs = require('node:fs');
const env = process.env;
(async () => {
  const r = await fetch(env.LAB_BASE_URL + '/api/products/174');
  const record = {
    argv: process.argv.slice(2),
    env: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('LAB_') || k.startsWith('K6_'))),
    nullStatus: r.status,
    nullBody: await r.text(),
  };
  fs.writeFileSync(env.FAKE_K6_RECORD, JSON.stringify(record));
  if (env.FAKE_K6_MODE === 'fail') {
    process.stderr.write('level=error msg="boom"\\n');
    process.exit(107);
  }
  fs.writeFileSync(env.LAB_SUMMARY, JSON.stringify({
    metrics: {
      http_reqs: { type: 'counter', values: { count: 24000, rate: 7999.6 } },
      checks: { type: 'rate', values: { passes: 24000, fails: Number(env.FAKE_K6_CHECKS_FAILED), rate: 1 } },
      http_req_failed: { type: 'rate', values: { passes: 0, fails: 24000, rate: 0 } },
    },
    state: { testRunDurationMs: 3000 },
  }));
})();
`,
);
chmodSync(FAKE_K6, 0o755);

interface Record_ {
  argv: string[];
  env: Record<string, string>;
  nullStatus: number;
  nullBody: string;
}

let runs = 0;

/** A run directory and a stand-in Lab whose k6 runs in the given mode (cgroups: the stand-in counters). */
function setup(mode: 'ok' | 'fail', checksFailed = 0, cgroups: Partial<Cgroups> | null = null) {
  const runDir = join(dir, `run-${++runs}`);
  mkdirSync(runDir);
  const recordFile = join(runDir, 'k6-record.json');
  const released: string[] = [];
  const lab = {
    budget: { cpus: 1, memoryBytes: 1024 ** 3, sutCpuset: '0', loadgenCpuset: '0' },
    cgroups,
    cgroupPath: (...parts: string[]) => ['lab', 'test', ...parts].join('/'),
    async spawnInCgroup(
      profile: string,
      service: string,
      argv: string[],
      opts: { env?: Record<string, string> } = {},
    ) {
      assert.equal(`${profile}/${service}`, 'loadgen/k6');
      const child = spawn(argv[0]!, argv.slice(1), {
        env: {
          ...process.env,
          ...opts.env,
          FAKE_K6_MODE: mode,
          FAKE_K6_CHECKS_FAILED: String(checksFailed),
          FAKE_K6_RECORD: recordFile,
        },
        stdio: 'pipe',
      });
      return { child, cgroup: cgroups ? 'lab/test/loadgen/k6' : null };
    },
    async releaseOneshot(profile: string, service: string) {
      released.push(`${profile}/${service}`);
    },
  } as unknown as Lab;
  const log: string[] = [];
  const record = () => JSON.parse(readFileSync(recordFile, 'utf8')) as Record_;
  return { runDir, lab, log, released, record };
}

const script = (vus?: number): ScenarioEntry => ({
  id: '03',
  name: '03-pdp',
  file: '/lab/scenarios/dist/03-pdp.js',
  profile: {
    name: '03-pdp',
    title: 'Product page',
    model: 'closed',
    duration: '60s',
    quick: { duration: '5s' },
    ...(vus === undefined ? {} : { vus }),
  },
});

/** measureCeiling in setup `s`'s run directory, quick, with script(10); `over` replaces options. */
function measure(s: ReturnType<typeof setup>, over: Partial<Parameters<typeof measureCeiling>[0]> = {}) {
  return measureCeiling({
    lab: s.lab,
    k6: FAKE_K6,
    dataFile: 'data.json',
    runDir: s.runDir,
    script: script(10),
    quick: true,
    log: (l) => s.log.push(l),
    ...over,
  });
}

describe('measureCeiling', { concurrency: false }, () => {
  test("quick: k6 runs the scenario's script for 3 s at its VUs against the null endpoint", async () => {
    const s = setup('ok');
    const c = await measure(s, { dataFile: '/lab/data/dataset.json', script: script(64) });
    const r = s.record();
    assert.equal(r.argv.at(-1), '/lab/scenarios/dist/03-pdp.js');
    assert.equal(r.env['LAB_VUS'], '64');
    assert.equal(r.env['LAB_DURATION'], '3s');
    assert.equal(r.env['LAB_DATA'], '/lab/data/dataset.json');
    assert.equal(r.env['LAB_NULL_BODY'], NULL_BODY);
    assert.equal(r.env['LAB_SUMMARY'], join(s.runDir, '.calibration.json'));
    assert.equal(r.nullStatus, 200, 'the null endpoint was up while k6 ran');
    assert.equal(r.nullBody, NULL_BODY);
    assert.equal(existsSync(join(s.runDir, '.calibration.json')), false, 'the summary file is removed');
    assert.deepEqual(s.released, ['loadgen/k6']);

    assert.equal(c.scenario, '03-pdp');
    assert.equal(c.vus, 64);
    assert.equal(c.duration, '3s');
    assert.equal(c.rps, 7999.6);
    assert.equal(c.requests, 24000);
    assert.equal(c.checksFailed, 0);
    assert.equal(c.loadgenCpuShare, null, 'no cgroup: no CPU share');
    assert.equal(c.ceilingRps, 7999.6, 'without a CPU share the ceiling is the rate measured');
    assert.equal(c.serverCpuset, '0', "the null endpoint pinned to the targets' cores");
    assert.ok(!Number.isNaN(Date.parse(c.at)));
    assert.deepEqual(s.log, [
      "calibration: k6 against the null endpoint (03-pdp, 3s) for the load generator's ceiling…",
      'calibration: ceiling 8000 req/s (measured 8000 req/s)',
    ]);
  });

  test('a full session: 10 s, 50 VUs when the profile names none, and failed checks said in the log', async () => {
    const s = setup('ok', 3);
    const c = await measure(s, { script: script(), quick: false });
    assert.equal(s.record().env['LAB_DURATION'], '10s');
    assert.equal(s.record().env['LAB_VUS'], '50');
    assert.equal(c.vus, 50);
    assert.equal(c.duration, '10s');
    assert.equal(c.checksFailed, 3);
    assert.equal(
      s.log[1],
      'calibration: ceiling 8000 req/s (measured 8000 req/s) — 3 checks failed against the null endpoint',
    );
  });

  test("k6's CPU share, when its cgroup counts it, sets the ceiling and is said in the log", async () => {
    const usage: Usage = {
      cpuSeconds: 0.05,
      periods: 0,
      throttledPeriods: 0,
      throttledSeconds: 0,
      memoryBytes: 1,
      memoryPeakBytes: 5e7,
    };
    const s = setup('ok', 0, {
      exists: () => true,
      pids: () => [],
      readUsage: () => usage,
      readLimits: () => ({ cpus: null, cpuset: '0', memoryBytes: null }),
    });
    const c = await measure(s);
    const share = c.loadgenCpuShare;
    assert.ok(share !== null && share > 0);
    assert.equal(c.ceilingRps, ceilingFrom(7999.6, share));
    assert.equal(
      s.log[1],
      `calibration: ceiling ${Math.round(c.ceilingRps)} req/s (measured 8000 req/s with k6 at ` +
        `${Math.round(share * 100)}% of its cores)`,
    );
    // A k6 cgroup left with no live process is released before the run, and again after it.
    assert.deepEqual(s.released, ['loadgen/k6', 'loadgen/k6']);
  });

  test('k6 without a summary: an error with its exit code and last lines, and the null endpoint stopped', async () => {
    const s = setup('fail');
    // A summary left by an interrupted earlier session is not read as this one's.
    writeFileSync(join(s.runDir, '.calibration.json'), JSON.stringify({ metrics: {} }));
    await assert.rejects(
      measure(s),
      /k6 failed against the null endpoint \(exit 107\): level=error msg="boom"/,
    );
    assert.equal(s.log.length, 1, 'no ceiling reported');
    const base = s.record().env['LAB_BASE_URL']!;
    await assert.rejects(fetch(base), 'nothing answers at the null endpoint any more');
  });
});
