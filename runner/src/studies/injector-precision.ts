#!/usr/bin/env node
// Does scenario 09's injector add the round-trip latency it is asked for? One keep-alive HTTP exchange at a time
// through a Toxiproxy proxy (the lab's build, pinned to LAB_LOADGEN_CPUSET as in 09) to a node:http server in this
// process, at 0 ms and at each step; the added latency is a step's median minus the 0 ms median, per repeat.
// `--compare <binary>` measures another build beside it (e.g. an older one). Writes results/injector-precision.json
// and renders docs/benchmarks/injector-precision.md from it.
//   usage: npm run bench:injector -- [--steps 0.25,0.5,1,2,5] [--exchanges 61] [--repeats 3] [--compare <binary>]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { budgetFromEnv } from '../lab/compose.js';
import { LabPaths } from '../lab/paths.js';
import { ensureTool } from '../lab/tools.js';
import { Injector } from '../latency/injector.js';
import { labEnv, repoRoot } from '../lib/env-file.js';
import { describeMachine, machineInfo } from '../lib/machine.js';
import { freePort } from '../lib/net.js';

interface Sample {
  build: string;
  repeat: number;
  /** Asked-for added RTT, ms (0: through the proxy, no delay). */
  stepMs: number;
  medianMs: number;
}

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '0.25,0.5,1,2,5' },
    exchanges: { type: 'string', default: '61' },
    repeats: { type: 'string', default: '3' },
    compare: { type: 'string' },
  },
});
const steps = values.steps.split(',').map(Number);
const exchanges = Number(values.exchanges);
const repeats = Number(values.repeats);
if (
  steps.some((s) => !(s > 0)) ||
  !Number.isInteger(exchanges) ||
  exchanges < 1 ||
  !Number.isInteger(repeats) ||
  repeats < 1
) {
  process.stderr.write('usage: --steps 0.25,1 (ms > 0) --exchanges N --repeats N (positive integers)\n');
  process.exit(2);
}
const root = repoRoot();
const budget = budgetFromEnv({ ...labEnv(root), ...process.env } as Record<string, string>);
const tool = await ensureTool('toxiproxy', {
  paths: new LabPaths(root),
  env: process.env,
  log: (l) => process.stderr.write(`${l}\n`),
});
const builds: [string, string][] = [[`lab build (${tool.path.replace(`${root}/`, '')})`, tool.path]];
if (values.compare) builds.push([values.compare.replace(`${root}/`, ''), values.compare]);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Median of `exchanges` sequential GETs on one kept-alive connection (after one to open it). */
async function exchangeMs(url: string): Promise<number> {
  await (await fetch(url)).text();
  const times: number[] = [];
  for (let i = 0; i < exchanges; i++) {
    const t0 = performance.now();
    await (await fetch(url)).text();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const port = await freePort();
const server = createServer((_req, res) => res.end('ok'));
await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
const upstream = `127.0.0.1:${port}`;
const samples: Sample[] = [];
try {
  for (const [build, binary] of builds) {
    const injector = await Injector.start(binary, async (argv) => ({
      child: spawn('taskset', ['-c', budget.loadgenCpuset, ...argv], { stdio: 'ignore' }),
      cgroup: null,
    }));
    try {
      const via = `http://${(await injector.route([upstream]))[upstream]}/`;
      for (let repeat = 1; repeat <= repeats; repeat++)
        for (const stepMs of [0, ...steps]) {
          await injector.setLatency(stepMs);
          samples.push({ build, repeat, stepMs, medianMs: await exchangeMs(via) });
        }
    } finally {
      await injector.stop();
    }
  }
} finally {
  server.close();
}

const machine = machineInfo();
const command =
  `npm run bench:injector -- --steps ${steps.join(',')} --exchanges ${exchanges} --repeats ${repeats}` +
  (values.compare ? ` --compare ${values.compare.replace(`${root}/`, '')}` : '');
const result = {
  measuredAt: new Date().toISOString(),
  machine,
  command,
  injectorCpuset: budget.loadgenCpuset,
  samples,
};
mkdirSync(join(root, 'results'), { recursive: true });
writeFileSync(join(root, 'results/injector-precision.json'), `${JSON.stringify(result, null, 2)}\n`);

/** Added RTT per repeat (the step's median minus the same repeat's 0 ms median): "median (min–max)". */
function added(build: string, stepMs: number): string {
  const of = (r: number, s: number) =>
    samples.find((x) => x.build === build && x.repeat === r && x.stepMs === s)!;
  const xs = Array.from({ length: repeats }, (_, i) => of(i + 1, stepMs).medianMs - of(i + 1, 0).medianMs);
  const f = (v: number) => (v >= 0 ? '+' : '') + v.toFixed(2);
  return `${f(median(xs))} (${f(Math.min(...xs))} to ${f(Math.max(...xs))})`;
}
const lines = [
  '<!-- generated by `npm run bench:injector` from results/injector-precision.json: do not edit -->',
  '# Scenario 09: does the injector add the latency it is asked for?',
  '',
  `Machine: ${describeMachine(machine)}. Toxiproxy pinned to cpuset ${budget.loadgenCpuset} (as in 09), a node:http server and`,
  `the client in one unpinned process; one keep-alive HTTP exchange at a time through the proxy, the median of ${exchanges}`,
  `per step, the added RTT = a step's median − the 0 ms median of the same repeat; median (min to max) over ${repeats}`,
  `repeats. Command: \`${command}\` (measured ${result.measuredAt.slice(0, 10)}).`,
  '',
  `| build | exchange at 0 ms, ms | ${steps.map((s) => `added at ${s} ms`).join(' | ')} |`,
  `|---|---:|${steps.map(() => '---:').join('|')}|`,
  ...builds.map(
    ([build]) =>
      `| ${build} | ${median(samples.filter((s) => s.build === build && s.stepMs === 0).map((s) => s.medianMs)).toFixed(3)} | ${steps.map((s) => added(build, s)).join(' | ')} |`,
  ),
  '',
  'Why it matters and what was fixed: [09-network-latency.md](../scenarios/09-network-latency.md#how-it-is-done).',
  '',
];
writeFileSync(join(root, 'docs/benchmarks/injector-precision.md'), lines.join('\n'));
process.stdout.write(`${lines.slice(3).join('\n')}\n`);
