/**
 * The manifest of a resilience run (10 fault injection, 11 cold start): what every result must name — commit,
 * machine, the target's components (which database server ran: FerretDB is not MongoDB), the budget read back
 * from the cgroups, the command and options — and the header printed above its table.
 */
import { join } from 'node:path';
import { writeJsonAtomic } from '../lib/files.js';
import { gitInfo, targetComponents } from '../benchmark/manifest.js';
import type { LabTarget } from '../lab/compose.js';
import { describeBudget, type Lab } from '../lab/launcher.js';
import type { ReadBack } from '../lab/cgroup.js';
import { describeMachine, type MachineInfo, machineInfo } from '../lib/machine.js';

/**
 * Not manifest.json: the benchmark report and --resume read every results/<id>/manifest.json as a benchmark
 * run; a resilience run is a different kind of run and keeps its own file.
 */
export const RESILIENCE_MANIFEST = 'resilience.json';

export interface ResilienceManifest {
  kind: 'resilience';
  runId: string;
  scenario: string;
  target: string;
  status: 'running' | 'complete' | 'incomplete';
  reason: string | null;
  command: string;
  startedAt: string;
  finishedAt: string | null;
  machine: MachineInfo;
  git: { commit: string | null; dirty: boolean | null };
  components: Record<string, string>;
  budget: ReadBack | null;
  options: Record<string, unknown>;
  /** Measurements that failed (the others were still taken). */
  failures: string[];
}

export function newManifest(o: {
  root: string;
  lab: Lab;
  runDir: string;
  scenario: string;
  target: LabTarget;
  /** `faults`, `cold-start`, `scale`: the manifest records the whole command line it was run with. */
  subcommand: string;
  options: Record<string, unknown>;
}): ResilienceManifest {
  const m: ResilienceManifest = {
    kind: 'resilience',
    runId: o.runDir.split('/').pop()!,
    scenario: o.scenario,
    target: o.target.name,
    status: 'running',
    reason: null,
    command: `./run-benchmark.sh ${o.subcommand} ${process.argv.slice(2).join(' ')}`,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    machine: machineInfo(),
    git: gitInfo(o.root),
    components: targetComponents(o.root, o.target, 'native', {
      paths: o.lab.paths,
      env: process.env,
      log: () => undefined,
    }),
    budget: null,
    options: o.options,
    failures: [],
  };
  saveManifest(o.runDir, m);
  return m;
}

export function saveManifest(runDir: string, m: ResilienceManifest): void {
  writeJsonAtomic(join(runDir, RESILIENCE_MANIFEST), m);
}

/** The budget of the target's profile as the kernel reports it, once it is up. */
export async function readBudget(lab: Lab, profile: string): Promise<ReadBack | null> {
  return (await lab.status()).find((p) => p.profile === profile)?.budget ?? null;
}

export function resilienceHeader(m: ResilienceManifest): string {
  const comps = Object.entries(m.components)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `> **Run** \`${m.runId}\` (${m.status}${m.reason ? `: ${m.reason.split('\n')[0]}` : ''}), commit \`${m.git.commit?.slice(0, 10) ?? 'unknown'}\`${m.git.dirty ? ' (dirty)' : ''}, ${m.startedAt.slice(0, 10)}  `,
    `> **Machine** ${describeMachine(m.machine)}  `,
    `> **Target** ${m.target} · **budget (read back)** ${describeBudget(m.budget)}${comps ? ` · ${comps}` : ''}  `,
    `> **Command** \`${m.command}\``,
  ].join('\n');
}
