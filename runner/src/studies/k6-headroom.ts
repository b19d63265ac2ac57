#!/usr/bin/env node
// k6's ceiling with the scenarios' body checks on every response versus on a sample (scenarios/lib/sampling.ts),
// measured against the null endpoint: scenario 03, k6 pinned to LAB_LOADGEN_CPUSET and the null server to
// LAB_SUT_CPUSET with taskset, the variants interleaved round by round. Writes results/k6-headroom.json and
// renders docs/benchmarks/k6-headroom.md from it.
//   usage: npm run bench:k6-headroom -- [--rounds 3] [--duration 10s] [--every 1,10,100]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureScenarioData } from '../benchmark/scenario-data.js';
import { startNull, stopNull } from '../calibration/calibrate.js';
import { NULL_BODY } from '../calibration/null-server.js';
import { budgetFromEnv } from '../lab/compose.js';
import { LabPaths } from '../lab/paths.js';
import { ensureTool } from '../lab/tools.js';
import { labEnv, repoRoot } from '../lib/env-file.js';
import { describeMachine, machineInfo } from '../lib/machine.js';

interface Sample {
  every: number;
  round: number;
  rps: number;
  requests: number;
  /** k6's CPU (user + system, from /proc, sampled every 100 ms) per request, microseconds. */
  k6CpuUsPerReq: number | null;
}

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10s' },
    every: { type: 'string', default: '1,10,100' },
  },
});
const rounds = Number(values.rounds);
const everies = values.every.split(',').map(Number);
if (
  !Number.isInteger(rounds) ||
  rounds < 1 ||
  everies.some((e) => !Number.isInteger(e) || e < 1) ||
  !/^\d+s$/.test(values.duration)
) {
  process.stderr.write('usage: --rounds N --duration 10s --every 1,10,100 (positive integers, seconds)\n');
  process.exit(2);
}
const root = repoRoot();
const env = { ...labEnv(root), ...process.env } as Record<string, string>;
const budget = budgetFromEnv(env);
const ticks = 100; // USER_HZ on Linux
const k6 = await ensureTool('k6', {
  paths: new LabPaths(root),
  env: process.env,
  log: (l) => process.stderr.write(`${l}\n`),
});
const data = ensureScenarioData(root, 42, 1);
const tmp = join(tmpdir(), `lab-k6-headroom-${process.pid}`);
mkdirSync(tmp, { recursive: true });

function cpuTicks(pid: number): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
}

async function once(every: number, round: number, port: number): Promise<Sample> {
  const summary = join(tmp, `s-${every}-${round}.json`);
  const child = spawn(
    'taskset',
    ['-c', budget.loadgenCpuset, k6.path, 'run', '--quiet', '--no-color', join(root, 'scenarios/03-pdp.ts')],
    {
      env: {
        ...process.env,
        K6_NO_USAGE_REPORT: 'true',
        LAB_DATA: data,
        LAB_BASE_URL: `http://127.0.0.1:${port}`,
        LAB_DURATION: values.duration,
        LAB_SUMMARY: summary,
        LAB_NULL_BODY: NULL_BODY,
        LAB_CHECK_EVERY: String(every),
      },
      stdio: 'ignore',
    },
  );
  // taskset execs k6: the child's pid is k6's.
  let last: number | null = null;
  const timer = setInterval(() => (last = cpuTicks(child.pid!) ?? last), 100);
  await new Promise((r) => child.once('exit', r));
  clearInterval(timer);
  const s = JSON.parse(readFileSync(summary, 'utf8')) as {
    metrics: Record<string, { values: Record<string, number> }>;
  };
  const requests = s.metrics['http_reqs']!.values['count']!;
  const cpu = last as number | null;
  return {
    every,
    round,
    rps: s.metrics['http_reqs']!.values['rate']!,
    requests,
    k6CpuUsPerReq: cpu === null ? null : ((cpu / ticks) * 1e6) / requests,
  };
}

const loadBefore = loadavg()[0]!;
const server = await startNull(budget.sutCpuset);
const samples: Sample[] = [];
try {
  for (let round = 1; round <= rounds; round++)
    for (const every of everies) {
      const s = await once(every, round, server.port);
      samples.push(s);
      process.stderr.write(
        `round ${round} every ${every}: ${s.rps.toFixed(0)} req/s, k6 ${s.k6CpuUsPerReq?.toFixed(1)} µs/req\n`,
      );
    }
} finally {
  await stopNull(server.child);
  rmSync(tmp, { recursive: true, force: true });
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const machine = machineInfo();
const command = `npm run bench:k6-headroom -- --rounds ${rounds} --duration ${values.duration} --every ${everies.join(',')}`;
const result = {
  measuredAt: new Date().toISOString(),
  machine,
  command,
  loadAverage: { before: loadBefore, after: loadavg()[0]! },
  loadgenCpuset: budget.loadgenCpuset,
  serverCpuset: budget.sutCpuset,
  samples,
};
mkdirSync(join(root, 'results'), { recursive: true });
writeFileSync(join(root, 'results/k6-headroom.json'), `${JSON.stringify(result, null, 2)}\n`);
const base = median(samples.filter((s) => s.every === 1).map((s) => s.rps));
const lines = [
  '<!-- generated by `npm run bench:k6-headroom` from results/k6-headroom.json: do not edit -->',
  '# k6 headroom: body checks on every response or on a sample',
  '',
  `Machine: ${describeMachine(machine)}. k6 ${k6.version} on cpuset ${budget.loadgenCpuset}, the null endpoint`,
  `(runner/src/calibration/null-server.ts) on cpuset ${budget.sutCpuset}; scenario 03 (50 VUs), ${values.duration} per run, the`,
  `variants interleaved, median of ${rounds} rounds. Command: \`${command}\` (measured ${result.measuredAt.slice(0, 10)}).`,
  '',
  '| bodies checked (LAB_CHECK_EVERY) | req/s (median) | per round | k6 CPU µs / request (median) | vs every body |',
  '|---|---:|---|---:|---:|',
  ...everies.map((every) => {
    const xs = samples.filter((s) => s.every === every);
    const rps = median(xs.map((s) => s.rps));
    const cpu = xs.map((s) => s.k6CpuUsPerReq).filter((v): v is number => v !== null);
    return `| ${every === 1 ? 'every response (as before sampling)' : `first 5 per VU, then 1 in ${every}`} | ${rps.toFixed(0)} | ${xs.map((s) => s.rps.toFixed(0)).join(', ')} | ${cpu.length ? median(cpu).toFixed(1) : '–'} | ${base ? `${(rps / base).toFixed(2)}×` : '–'} |`;
  }),
  '',
  'The null endpoint answers a 32-byte body, so the check itself is cheap here; against real pages (1–5 KB) turning',
  'every body into a string costs k6 more. The machine is shared: compare rows of one table only (1-minute load',
  `average ${result.loadAverage.before.toFixed(1)} before, ${result.loadAverage.after.toFixed(1)} after, on ${machine.cores} cores).`,
  '',
];
writeFileSync(join(root, 'docs/benchmarks/k6-headroom.md'), lines.join('\n'));
process.stdout.write(`${lines.slice(3).join('\n')}\n`);
