import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColdStartFile } from '../src/coldstart/cold-start.js';
import type { K6Run } from '../src/k6/k6.js';
import type { ResilienceManifest } from '../src/resilience/manifest.js';
import type { RefusedScale, ScaleRunFile } from '../src/scale/report.js';
import type { Manifest, Session, StepMetrics, TargetInfo } from '../src/results/types.js';
import { type CellSummary, METRICS, type MetricKey, type StepSummary } from '../src/stats/aggregate.js';
import { describe } from '../src/stats/describe.js';

export const TOKEN = 'test-admin-token';
const REFERENCE_MAIN = fileURLToPath(
  new URL('../../../implementations/reference/dist/src/main.js', import.meta.url),
);

export interface Running {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the reference server on a free loopback port and resolves once it listens. */
export function startReference(env: Record<string, string> = {}): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [REFERENCE_MAIN], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LAB_ADMIN_TOKEN: TOKEN, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`reference did not start: ${out}`));
    }, 15_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/[0-9.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          child,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`reference exited with ${code}: ${out}`));
    });
  });
}

export type Tamper = (
  req: { method: string; url: string },
  status: number,
  body: string,
) => {
  status: number;
  body: string;
};

/**
 * A loopback proxy that forwards to `upstream` and lets a test alter one response: the way to prove that the
 * verify suite notices a wrong field, a wrong order or a wrong status without touching any target's code.
 */
export function startTamperingProxy(
  upstream: string,
  tamper: Tamper,
): Promise<{ url: string; server: Server }> {
  const up = new URL(upstream);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fwd = request(
        {
          host: up.hostname,
          port: up.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (r) => {
          const parts: Buffer[] = [];
          r.on('data', (c: Buffer) => parts.push(c));
          r.on('end', () => {
            const t = tamper(
              { method: req.method ?? 'GET', url: req.url ?? '/' },
              r.statusCode ?? 502,
              Buffer.concat(parts).toString('utf8'),
            );
            const headers = { ...r.headers };
            delete headers['content-length'];
            delete headers['transfer-encoding'];
            res.writeHead(t.status, headers);
            res.end(t.body);
          });
        },
      );
      fwd.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      fwd.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server });
    });
  });
}

/**
 * What a successful k6 run returns to the runner, for loop tests that stand in for k6: exit 0, one second,
 * a pinned load generator at 20% of its core, and these summary metrics (each trend's or rate's values).
 */
export function fakeK6Run(metrics: Record<string, Record<string, number>>): K6Run {
  return {
    exitCode: 0,
    signal: null,
    wallSeconds: 1,
    stdout: '',
    stderrTail: [],
    loadgen: { pinned: true, cpuset: '0', cores: 1, cpuSeconds: 0.2, cpuShare: 0.2, peakMemoryBytes: 1e7 },
    summary: {
      metrics: Object.fromEntries(Object.entries(metrics).map(([k, values]) => [k, { type: 'x', values }])),
      state: { testRunDurationMs: 1000 },
    },
  };
}

/**
 * What a run file keeps of one k6 step at this throughput and p99 (10 s, 50 VUs, no error; the other
 * percentiles fractions of the p99): the fixture of tests that write run files.
 */
export function stepMetrics(rps: number, p99: number, extra: Partial<StepMetrics> = {}): StepMetrics {
  return {
    requests: rps * 10,
    rps,
    failedRequests: 0,
    errorRate: 0,
    checksPassed: rps * 20,
    checksFailed: 0,
    iterations: rps * 10,
    droppedIterations: 0,
    latencyMs: {
      avg: p99 / 3,
      min: 0.1,
      p50: p99 / 4,
      p90: p99 / 2,
      p95: p99 / 1.5,
      p99,
      p999: p99 * 2,
      max: p99 * 3,
    },
    vusMax: 50,
    dataReceivedBytes: rps * 10_000,
    ordersPlaced: 0,
    stockConflicts: 0,
    testRunDurationMs: 10_000,
    ...extra,
  };
}

/**
 * A step of a cell summary whose runs measured these values (every other metric null), described as the
 * aggregate describes them: the fixtures of the report tests.
 */
export function summaryStep(label: string, measured: Partial<Record<MetricKey, number[]>>): StepSummary {
  const n = Math.max(1, ...Object.values(measured).map((v) => v.length));
  const values = Object.fromEntries(
    METRICS.map((m) => [m, measured[m] ?? Array.from({ length: n }, () => null)]),
  ) as Record<MetricKey, (number | null)[]>;
  const stats = Object.fromEntries(
    METRICS.map((m) => [m, describe(values[m].filter((v): v is number => v !== null))]),
  ) as StepSummary['stats'];
  return {
    step: label,
    vus: 10,
    rate: null,
    n,
    runs: [1],
    values,
    stats,
    flags: [],
    sloPassed: null,
    services: {},
    routes: {},
  };
}

/** A cell of those steps, planned for as many runs as its first step measured. */
export function summaryCell(target: string, scenario: string, steps: StepSummary[]): CellSummary {
  const n = steps[0]?.n ?? 1;
  return {
    schema: 1,
    runId: 'r',
    target,
    scenario,
    title: scenario,
    model: 'closed',
    plannedRuns: n,
    runs: Array.from({ length: n }, (_, i) => i + 1),
    steps,
    capacity: null,
  };
}

/** What the manifest keeps of a target that was started and verified: its budget and components. */
export function targetInfo(
  name: string,
  budget: TargetInfo['budget'] = { cpus: 1, cpuset: '1', memoryBytes: 2 ** 31 },
  components: Record<string, string> = {},
): TargetInfo {
  return {
    profile: name,
    url: `http://${name}.invalid`,
    mode: 'native',
    budget,
    components,
    verify: { ok: true, total: 400, failed: 0, at: '2026-11-23T10:00:00.000Z', durationMs: 1000 },
  };
}

/**
 * The manifest of a complete benchmark run `r` (the run id of summaryCell) of targets a and b on 03-pdp, 3 runs,
 * k6 pinned, no calibration; `over` replaces whole fields.
 */
/** One session of a run, on the boot `bootId` (none: a run from before boot ids were recorded). */
export function session(bootId?: string): Session {
  return {
    startedAt: '2026-12-07T10:00:00.000Z',
    endedAt: null,
    status: 'incomplete',
    reason: null,
    ...(bootId ? { bootId } : {}),
  };
}

export function benchmarkManifest(over: Partial<Manifest> = {}): Manifest {
  return {
    schema: 1,
    runId: 'r',
    status: 'complete',
    reason: null,
    createdAt: '2026-11-23T10:00:00.000Z',
    updatedAt: '2026-11-23T11:00:00.000Z',
    command: './run-benchmark.sh a,b 03 --runs 3',
    options: {
      targets: ['a', 'b'],
      scenarios: ['03-pdp'],
      runs: 3,
      duration: null,
      vus: null,
      rate: null,
      warmup: '10s',
      cooldown: '3s',
      seed: 42,
      scale: 1,
      mode: 'native',
      quick: false,
      noLimits: false,
    },
    git: { commit: '0123456789abcdef', dirty: false },
    host: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 24, node: 'v20.20.2', kernel: '6.1' },
    versions: { node: 'v20.20.2', k6: 'v1.8.1' },
    loadgen: { cpuset: '0', cores: 1, pinned: true },
    targets: { a: targetInfo('a'), b: targetInfo('b') },
    plan: [],
    sessions: [],
    ...over,
  };
}

/**
 * The manifest of a complete resilience run (10, 11 or 12) of mono on a 2-core test machine, one core and 2 GiB;
 * `over` replaces whole fields.
 */
export function resilienceManifest(over: Partial<ResilienceManifest> = {}): ResilienceManifest {
  const scenario = over.scenario ?? '11-cold-start';
  return {
    kind: 'resilience',
    runId: 'r1',
    scenario,
    target: 'mono',
    status: 'complete',
    reason: null,
    command: `./run-benchmark.sh ${scenario} mono`,
    startedAt: '2026-12-04T17:00:00.000Z',
    finishedAt: '2026-12-04T17:30:00.000Z',
    machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 24, node: 'v20.20.2', kernel: '6.1' },
    git: { commit: '0123456789abcdef', dirty: false },
    components: { database: 'PostgreSQL 16' },
    budget: { cpus: 1, cpuset: '1', memoryBytes: 2 ** 31 },
    options: {},
    failures: [],
    ...over,
  };
}

/** One cold start of mono after a SIGKILL (rep `rep`): up at 2.6 s, steady p99 3 ms after 4 s. */
export function coldStartFile(rep: number, firstOkMs: number | null): ColdStartFile {
  return {
    scenario: '11-cold-start',
    target: 'mono',
    mode: 'crash',
    rep,
    t0: 0,
    firstOkMs,
    upMs: 2600,
    upError: null,
    attempts: 40,
    steadyP99Ms: 3,
    timeToSteadyMs: 4000,
    windows: [],
  };
}

/**
 * A data-scale run `id` of `target` under `results`: one benchmark run `<id>-s<N>` per scale (03-pdp, CPU ms per
 * request 0.1 × N, p99 N ms) and scale.json naming them, with the scales the target refused.
 */
export function scaleRunFixture(
  results: string,
  id: string,
  target: string,
  scales: number[],
  refused: RefusedScale[] = [],
): ScaleRunFile {
  for (const scale of scales) {
    mkdirSync(join(results, `${id}-s${scale}`), { recursive: true });
    const step = summaryStep('10 VUs', {
      p50: [1],
      p99: [scale],
      cpuPer1kReq: [0.1 * scale],
      peakMemoryMiB: [80],
    });
    const cells = [summaryCell(target, '03-pdp', [step])];
    writeFileSync(join(results, `${id}-s${scale}`, 'summary.json'), JSON.stringify({ cells }));
  }
  const file: ScaleRunFile = {
    scenario: '12-data-scale',
    target,
    scenarios: ['01-04'],
    scales: scales.map((scale) => ({
      scale,
      previousScale: null,
      upSeconds: scale,
      seeded: null,
      runId: `${id}-s${scale}`,
    })),
    refused,
  };
  mkdirSync(join(results, id), { recursive: true });
  writeFileSync(join(results, id, 'scale.json'), JSON.stringify(file));
  return file;
}
