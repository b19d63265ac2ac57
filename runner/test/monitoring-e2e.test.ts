/**
 * The monitoring issue's "done when", natively (no Docker, no Grafana): `./lab up reference monitoring`, a short
 * `./run-benchmark.sh … --monitor` run (k6 → Prometheus by remote write, native histograms), then micro and mono
 * brought up and sent a little traffic for the panels only they feed (the BFF's upstream histogram, mono's pg
 * pool); then EVERY PromQL expression of EVERY provisioned dashboard, its template variables resolved by their own
 * queries, must answer with data from the native Prometheus. And cAdvisor must report each lab cgroup with the
 * limits the budget gave it. Profiles this test starts are stopped at the end; profiles already up are left alone.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Manifest, RunFile } from '../src/results/types.js';
import { parseCpus } from '../src/lab/budget.js';
import { Cgroups } from '../src/lab/cgroup.js';
import { budgetFromEnv, loadCompose } from '../src/lab/compose.js';
import type { ProfileStatus } from '../src/lab/launcher.js';
import { LabPaths } from '../src/lab/paths.js';
import { findTool } from '../src/lab/tools.js';
import { repoRoot } from '../src/lib/env-file.js';
import { loadDashboards, rateInterval, resolveVariables, substitute } from '../src/monitoring/dashboards.js';
import { prometheusUrl } from '../src/monitoring/monitor.js';
import { Prometheus } from '../src/monitoring/prometheus-api.js';
import { type MonitoringCapture, type MonitoringFile } from '../src/results/types.js';

const root = repoRoot();
const labCli = join(root, 'runner', 'dist', 'src', 'lab', 'cli.js');
const ENV = { ...process.env, LAB_NO_BUILD: '1' };
const compose = loadCompose(root);
const budget = budgetFromEnv(compose.env);
const prom = new Prometheus(prometheusUrl(compose));
const CADVISOR = 'http://127.0.0.1:18080/metrics';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sh(cmd: string, args: string[], timeout = 600_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(cmd, args, { cwd: root, env: ENV, timeout, maxBuffer: 32 * 2 ** 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const lab = (...args: string[]) => sh(process.execPath, [labCli, ...args]);

async function status(): Promise<ProfileStatus[]> {
  const r = await lab('status', '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as ProfileStatus[];
}

/** Samples of a Prometheus text exposition: name, labels, value. */
function parseExposition(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Polls a PromQL expression until it returns at least one series (or fails after `ms`). */
async function eventually(expr: string, ms = 30_000) {
  const t0 = Date.now();
  for (;;) {
    const r = await prom.query(expr);
    if (r.length > 0) return r;
    assert.ok(Date.now() - t0 < ms, `no data for ${expr} after ${ms / 1000} s`);
    await sleep(500);
  }
}

describe('monitoring natively: every dashboard query answers with data', { concurrency: false }, () => {
  const startedByUs: string[] = [];
  let alreadyUp = new Set<string>();
  let results = '';
  let windowStart = 0;

  const up = async (...profiles: string[]) => {
    const r = await lab('up', ...profiles);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    for (const p of profiles) if (!alreadyUp.has(p) && !startedByUs.includes(p)) startedByUs.push(p);
  };

  before(async () => {
    const cg = Cgroups.detect();
    assert.ok(cg, 'this machine has no cgroup filesystem');
    assert.equal(cg.writable(), null, 'cgroups are not writable: run the tests as root on Linux');
    const ctx = { paths: new LabPaths(root), env: process.env, log: () => undefined };
    for (const t of ['prometheus', 'cadvisor', 'k6'])
      assert.ok(findTool(t, ctx), `${t} not found: run ./lab setup (part of the README test command)`);
    alreadyUp = new Set((await status()).map((p) => p.profile));
    results = mkdtempSync(join(tmpdir(), 'lab-monitoring-'));
    windowStart = Date.now() / 1000;
  });

  after(async () => {
    for (const p of [...startedByUs].reverse()) await lab('down', p);
    rmSync(results, { recursive: true, force: true });
  });

  test("`./lab up reference monitoring`: cAdvisor reports every lab cgroup with the budget's limits", async () => {
    await up('reference', 'monitoring');
    assert.ok(await prom.ready());
    const st = await status();
    const cad = parseExposition(await (await fetch(CADVISOR)).text());
    const spec = (name: string, id: string) =>
      cad.find((s) => s.name === name && s.labels['id'] === id)?.value;
    for (const p of st.filter((x) => ['reference', 'monitoring'].includes(x.profile))) {
      const parent = `/${p.cgroup}`;
      assert.equal(spec('container_spec_memory_limit_bytes', parent), p.budget!.memoryBytes, parent);
      for (const s of p.services) {
        const id = `${parent}/${s.name}`;
        assert.ok(s.limits?.memoryBytes, `${id}: no memory limit read back`);
        assert.equal(
          spec('container_spec_memory_limit_bytes', id),
          s.limits!.memoryBytes,
          `${id} memory limit`,
        );
        assert.equal(s.limits!.memoryBytes, compose.services.get(s.name)!.memLimitBytes, `${id}: mem_limit`);
        assert.ok(
          cad.some((x) => x.name === 'container_memory_working_set_bytes' && x.labels['id'] === id),
          `${id}: no working set`,
        );
      }
    }
    // The target's budget: LAB_CPUS as a CFS quota and LAB_MEMORY on its parent cgroup.
    const refGroup = `/lab/${compose.project}/reference`;
    const quota = spec('container_spec_cpu_quota', refGroup)!;
    const period = spec('container_spec_cpu_period', refGroup)!;
    assert.equal(quota / period, parseCpus(compose.env['LAB_CPUS']!));
    assert.equal(spec('container_spec_memory_limit_bytes', refGroup), budget.memoryBytes);
    // The same through Prometheus, with the lab's labels instead of cgroup paths.
    const [limit] = await eventually(
      'container_spec_memory_limit_bytes{target="reference", service="reference"}',
    );
    assert.equal(limit!.samples[0]![1], compose.services.get('reference')!.memLimitBytes);
    const [cpus] = await eventually(
      'container_spec_cpu_quota{target="reference", service=""} / container_spec_cpu_period{target="reference", service=""}',
    );
    assert.equal(cpus!.samples[0]![1], budget.cpus);
    const [pinned] = await eventually(
      'container_spec_memory_limit_bytes{target="monitoring", service="prometheus"}',
    );
    assert.equal(pinned!.samples[0]![1], compose.services.get('prometheus')!.memLimitBytes);
  });

  test('a short monitored run streams k6 to Prometheus and stores the answers with the run', async () => {
    const r = await sh(join(root, 'run-benchmark.sh'), [
      'reference',
      '06',
      '--runs',
      '1',
      '--duration',
      '12s',
      '--warmup',
      '2s',
      '--cooldown',
      '0s',
      '--monitor',
      '--mode',
      'native',
      '--results-dir',
      results,
      '--run-id',
      'mon',
    ]);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.match(r.stderr, /monitoring stays up/);
    const dir = join(results, 'mon');
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(m.options.monitor, true);
    assert.match(m.versions['prometheus'] ?? '', /^2\.42\./);
    assert.equal(m.versions['cadvisor'], 'v0.60.6');
    const cell = join(dir, 'reference', '06-browse-mix');
    const mon = JSON.parse(readFileSync(join(cell, 'monitoring-01.json'), 'utf8')) as MonitoringFile;
    const run = JSON.parse(readFileSync(join(cell, 'run-01.json'), 'utf8')) as RunFile;
    const cap = mon.steps[0] as MonitoringCapture & { step: string };
    assert.ok('queries' in cap, JSON.stringify(mon.steps[0]));
    for (const q of cap.queries) assert.equal(q.error, null, `${q.panel} ${q.refId}: ${q.error}`);
    // k6's own series in Prometheus hold exactly the requests k6's summary counted.
    const own = run.steps[0]!.metrics;
    assert.equal(cap.k6?.requests, own.requests);
    assert.equal(cap.k6?.failedRequests, own.failedRequests);
    const p95 = cap.k6!.latencySeconds.p95! * 1000;
    assert.ok(
      Math.abs(p95 - own.latencyMs.p95) <= Math.max(0.25 * own.latencyMs.p95, 0.5),
      `p95 ${p95} vs ${own.latencyMs.p95}`,
    );
    // The per-target k6 panels answered for this target over the step.
    for (const panel of ['Requests/s', 'Latency p50 / p95 / p99', 'Error rate']) {
      const q = cap.queries.find((x) => x.panel === panel)!;
      assert.ok(
        q.series.some(
          (s) => s.labels['target'] === 'reference' && s.samples.some((x) => Number.isFinite(x[1])),
        ),
        `${panel}: no data in the stored capture`,
      );
    }
    const md = readFileSync(join(dir, 'monitoring.md'), 'utf8');
    assert.match(md, /\| via Prometheus \| \d+ \|/);
  });

  test('micro and mono up, a little traffic: the BFF upstream and pg pool series appear', async () => {
    await up('micro', 'mono');
    for (const base of ['http://127.0.0.1:3000', 'http://127.0.0.1:4000']) {
      for (let i = 0; i < 20; i++) {
        for (const path of ['/api/home', '/api/search?q=a', `/api/products/${1 + (i % 10)}`]) {
          const res = await fetch(`${base}${path}`);
          await res.arrayBuffer();
        }
      }
    }
    const upstream = await eventually(
      'sum by (upstream) (bff_upstream_duration_seconds_count{target="micro"})',
    );
    assert.ok(upstream.length >= 3, JSON.stringify(upstream.map((s) => s.labels)));
    await eventually('pg_pool_total_connections{target="mono", service="mono"}');
    // Two scrapes after the traffic, so that every rate has two samples.
    await sleep(11_000);
  });

  test('EVERY query of EVERY dashboard, its variables substituted, answers with data', async (t) => {
    const end = Date.now() / 1000;
    const start = windowStart - 30;
    const failures: string[] = [];
    let count = 0;
    for (const d of loadDashboards(root)) {
      const values = await resolveVariables(d, prom, start, end);
      t.diagnostic(`${d.title}: ${JSON.stringify(values)}`);
      for (const [name, v] of Object.entries(values))
        if (v.length === 0) failures.push(`${d.title}: variable $${name} has no values`);
      for (const q of d.queries) {
        count++;
        const expr = substitute(q.expr, d, values, {
          rateInterval: rateInterval(5),
          interval: 5,
          range: end - start,
        });
        let data: { labels: Record<string, string>; points: number }[];
        try {
          data = (await prom.queryRange(expr, start, end, 5))
            .map((s) => ({ labels: s.labels, points: s.samples.filter((x) => Number.isFinite(x[1])).length }))
            .filter((s) => s.points > 0);
        } catch (e) {
          failures.push(`${d.title} / ${q.panel} (${q.refId}): ${(e as Error).message}`);
          continue;
        }
        const from = [
          ...new Set(
            data.map((s) => s.labels['target'] ?? s.labels['upstream'] ?? s.labels['service'] ?? '-'),
          ),
        ];
        t.diagnostic(
          `${data.length ? 'data' : 'NONE'}  ${d.title} / ${q.panel} (${q.refId}): ${data.length} series [${from.join(', ')}]`,
        );
        if (data.length === 0) failures.push(`${d.title} / ${q.panel} (${q.refId}): no data for ${expr}`);
        // The panels that only one target feeds are proven with that target's own data.
        if (
          q.panel.startsWith('BFF') &&
          !data.every((s) =>
            ['catalog', 'pricing', 'inventory', 'reviews', 'orders'].includes(s.labels['upstream'] ?? ''),
          )
        )
          failures.push(`${q.panel}: series without a micro upstream`);
        if (q.panel.startsWith('Database pool') && !data.some((s) => s.labels['target'] === 'mono'))
          failures.push(`${q.panel}: no data from mono`);
        if (/k6_http_req/.test(q.expr) && !data.some((s) => s.labels['target'] === 'reference'))
          failures.push(`${q.panel} (${q.refId}): no k6 data for reference`);
      }
    }
    assert.ok(count >= 25, `only ${count} queries found`);
    assert.deepEqual(failures, []);
  });
});
