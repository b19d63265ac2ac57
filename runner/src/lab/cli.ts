#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { repoRoot } from '../lib/env-file.js';
import { formatBytes } from './budget.js';
import { ComposeError, profiles } from './compose.js';
import { describeBudget, Lab, LabError, tailFile } from './launcher.js';
import { renderWebTargets, webTargets } from './web-targets.js';
import { setup } from './setup.js';
import { doctor, doctorTools, ToolError } from './tools.js';
import { dropWritesOnClosedStdout } from '../lib/stdout.js';

const USAGE = `usage: ./lab <command> [options]

Runs docker-compose.yml natively (no Docker engine), each target inside cgroups that carry the lab budget.

commands:
  up <profile>...     start profiles (in the order given) and wait until every service is healthy
                        --timeout S    seconds to wait for each service's health (default: from compose)
                        --no-limits    run without cgroups where they are not writable (marked UNLIMITED)
  down [profile]      stop a profile (default: everything the lab started); idempotent
  status [--json]     services, pids, health, and the budget read back from the cgroups
  logs <service>      the service's log   (-n N lines, default 50; -f to follow)
  doctor [tool...]    the tools the lab needs, where they were found  (--install: install what is missing)
  setup               install everything the tests and benchmarks need (Debian packages, Go-built tools,
                      npm packages); needs root, apt-get, Node 20.19+ and Go (it says which when missing)
  profiles            the profiles in docker-compose.yml
  targets [--json]    the targets (x-lab-targets): id, url, what the storefront shows (--json: its generated file)
  help, --help        this text

exit codes: 0 done · 1 failed · 2 bad command line · setup stops at once with 10 not Linux · 11 not root
            · 12 no apt-get · 13 Node.js missing or too old · 14 Go missing or too old`;

function usage(message: string): never {
  process.stderr.write(`lab: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function fail(message: string): never {
  process.stderr.write(`lab: ${message}\n`);
  process.exit(1);
}

const [first, ...rest] = process.argv.slice(2);
const command = first === '--help' || first === '-h' ? 'help' : first;
let parsed: ReturnType<typeof parseArgs>;
try {
  parsed = parseArgs({
    args: rest,
    options: {
      timeout: { type: 'string' },
      'no-limits': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      n: { type: 'string', short: 'n' },
      f: { type: 'boolean', short: 'f', default: false },
      install: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
} catch (e) {
  usage((e as Error).message);
}
const opt = parsed.values as {
  timeout?: string;
  'no-limits': boolean;
  json: boolean;
  n?: string;
  f: boolean;
  install: boolean;
  help: boolean;
};
const args = parsed.positionals;
if (!command || command === 'help' || opt.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(command ? 0 : 2);
}

function maxArgs(n: number): void {
  if (args.length > n) usage(`${command}: unexpected argument "${args[n]}"`);
}

let lab: Lab;
try {
  lab = new Lab({ root: repoRoot(), noLimits: opt['no-limits'] });
} catch (e) {
  fail((e as Error).message);
}

async function cmdUp(): Promise<void> {
  if (args.length === 0) usage('up: which profile? (see ./lab profiles)');
  for (const p of args)
    if (!profiles(lab.compose).includes(p))
      usage(`up: unknown profile "${p}" (profiles: ${profiles(lab.compose).join(', ')})`);
  let timeoutSeconds: number | undefined;
  if (opt.timeout !== undefined) {
    if (!/^\d+$/.test(opt.timeout) || Number(opt.timeout) < 1)
      usage('--timeout must be a positive integer (seconds)');
    timeoutSeconds = Number(opt.timeout);
  }
  // Several profiles (e.g. `./lab up reference monitoring`) start one after the other.
  for (const profile of args) {
    const state = await lab.up(profile, timeoutSeconds === undefined ? {} : { timeoutSeconds });
    const budget = state.cgroup && lab.cgroups ? lab.cgroups.readLimits(state.cgroup) : null;
    process.stdout.write(`${profile} is up (budget: ${describeBudget(budget)})\n`);
  }
}

async function cmdDown(): Promise<void> {
  maxArgs(1);
  const profile = args[0];
  if (profile && !profiles(lab.compose).includes(profile) && !lab.activeProfiles().includes(profile)) {
    usage(`down: unknown profile "${profile}" (profiles: ${profiles(lab.compose).join(', ')})`);
  }
  const stopped = await lab.down(profile);
  process.stdout.write(stopped.length ? `stopped: ${stopped.join(', ')}\n` : 'nothing was running\n');
}

async function cmdStatus(): Promise<void> {
  maxArgs(0);
  const st = await lab.status();
  if (opt.json) {
    process.stdout.write(`${JSON.stringify(st, null, 2)}\n`);
    return;
  }
  if (st.length === 0) {
    process.stdout.write('nothing is running\n');
    return;
  }
  for (const p of st) {
    process.stdout.write(
      `${p.profile}: budget ${describeBudget(p.budget)}${p.cgroup ? ` (cgroup v${p.cgroupVersion} ${p.cgroup})` : ''}\n`,
    );
    for (const s of p.services) {
      const health = !s.alive ? 'DEAD' : s.healthy === null ? 'running' : s.healthy ? 'healthy' : 'unhealthy';
      const mem = s.usage ? `${formatBytes(s.usage.memoryBytes)} used` : '';
      const lim = s.limits?.memoryBytes
        ? ` of ${formatBytes(s.limits.memoryBytes)}`
        : s.limits
          ? ''
          : ' UNLIMITED';
      const cpu = s.usage ? `, ${s.usage.cpuSeconds.toFixed(1)} cpu-s` : '';
      process.stdout.write(
        `  ${s.name.padEnd(12)} pid ${String(s.pid).padEnd(8)} ${health.padEnd(9)} ${mem}${lim}${cpu}\n`,
      );
    }
  }
}

async function cmdLogs(): Promise<void> {
  maxArgs(1);
  const service = args[0];
  if (!service) usage('logs: which service?');
  const file = lab.logFile(service);
  const n = opt.n === undefined ? 50 : Number(opt.n);
  if (!Number.isInteger(n) || n < 0) usage('-n must be a non-negative integer');
  if (opt.f) {
    const child = spawn('tail', ['-n', String(n), '-F', file], { stdio: 'inherit' });
    await new Promise((r) => child.on('exit', r));
    return;
  }
  process.stdout.write(`${tailFile(file, n)}\n`);
}

async function cmdSetup(): Promise<void> {
  maxArgs(0);
  const { rows, missing } = await setup({
    paths: lab.paths,
    env: process.env,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  for (const r of rows) process.stdout.write(`${r.name.padEnd(18)} ${r.found ? r.found.path : 'MISSING'}\n`);
  if (missing.length)
    fail(`setup: still missing: ${missing.map((r) => `${r.name} (${r.error})`).join('; ')}`);
  process.stdout.write('setup: every tool is installed; npm test runs every test\n');
}

async function cmdDoctor(): Promise<void> {
  const known = doctorTools().map((t) => t.name);
  const unknown = args.filter((a) => !known.includes(a));
  if (unknown.length) usage(`doctor: unknown tool "${unknown[0]}" (tools: ${known.join(', ')})`);
  const rows = await doctor(
    { paths: lab.paths, env: process.env, log: (l) => process.stderr.write(`${l}\n`) },
    opt.install,
    args.length ? args : undefined,
  );
  if (opt.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    for (const r of rows) {
      const where = r.found
        ? `${r.found.version ?? '?'}  ${r.found.path}  (${r.found.source})`
        : `MISSING: ${r.error}`;
      process.stdout.write(`${r.name.padEnd(17)} ${where}\n`);
    }
    const cg = lab.limitsUnavailable();
    process.stdout.write(
      `${'cgroups'.padEnd(17)} ${cg ? `NOT WRITABLE: ${cg} (use --no-limits)` : `v${lab.cgroups!.version} at ${lab.cgroups!.root}, writable`}\n`,
    );
  }
  const required = ['k6', 'mongo-java-server', 'ferretdb', 'postgres'];
  if (
    rows.some((r) => !r.found && required.includes(r.name) && (args.length === 0 || args.includes(r.name)))
  ) {
    process.exitCode = 1;
  }
}

/** The targets, as the storefront knows them; --json prints the generated file's exact text. */
async function cmdTargets(): Promise<void> {
  maxArgs(0);
  if (opt.json) {
    process.stdout.write(renderWebTargets(lab.compose));
    return;
  }
  for (const t of webTargets(lab.compose))
    process.stdout.write(`${t.id.padEnd(10)} ${t.url.padEnd(24)} ${t.label}: ${t.summary}\n`);
}

async function cmdProfiles(): Promise<void> {
  maxArgs(0);
  process.stdout.write(`${profiles(lab.compose).join('\n')}\n`);
}

const COMMANDS: Record<string, () => Promise<void>> = {
  up: cmdUp,
  down: cmdDown,
  status: cmdStatus,
  logs: cmdLogs,
  setup: cmdSetup,
  doctor: cmdDoctor,
  profiles: cmdProfiles,
  targets: cmdTargets,
};

async function main(): Promise<void> {
  const name = command ?? '';
  // Own keys only: `./lab constructor` is an unknown command, not Object's.
  if (!Object.hasOwn(COMMANDS, name)) usage(`unknown command "${name}"`);
  await COMMANDS[name]!();
}

dropWritesOnClosedStdout();
main().catch((e: unknown) => {
  if (e instanceof LabError || e instanceof ComposeError || e instanceof ToolError) fail(e.message);
  fail(`unexpected error: ${(e as Error).stack ?? e}`);
});
