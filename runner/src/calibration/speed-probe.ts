/**
 * Machine drift: a fixed small CPU workload timed before every measured run, on the load generator's cores (idle
 * until k6 starts; the target's core may still be busy with the target's own work after its reset), and the
 * steal time the hypervisor reports in /proc/stat during the run. The same work taking longer means the machine
 * (a neighbour, the host, the clock) got slower, not the target: stats/aggregate.ts flags runs whose probe
 * differs from the run's median by more than DRIFT_SHARE.
 *
 * Run alone: node speed-probe.js prints the probe's milliseconds.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DriftSample } from '../results/types.js';

/** A run whose probe is this much slower or faster than the run's median is flagged `drift`. */
export const DRIFT_SHARE = 0.1;

const REPS = 15;

/**
 * ~5 ms of integer arithmetic on one core, timed REPS times in a fresh process; the fastest timing is the machine's
 * speed. Not the median: the first timings run before V8's optimising compiler has finished (its thread shares the
 * pinned core), so a median of 7 flipped between ~4.7 and ~12.7 ms with the compiler's timing, not the machine's.
 * The fastest of 15 comes after that compile, and a slower machine slows it too.
 */
export function probeMs(): number {
  let fastest = Infinity;
  let sink = 0;
  for (let rep = 0; rep < REPS; rep++) {
    const t0 = performance.now();
    let x = 0x9e3779b9;
    for (let i = 0; i < 3_000_000; i++) x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) >>> 0;
    sink ^= x;
    fastest = Math.min(fastest, performance.now() - t0);
  }
  if (sink === 0.5) throw new Error('unreachable: keeps the loop from being optimised away');
  return fastest;
}

const SELF = fileURLToPath(import.meta.url);

/** The probe on the given cores (a child pinned with taskset); in this process where taskset is missing. */
export function probeOn(cpuset: string): { ms: number; pinned: boolean } {
  const r = spawnSync('taskset', ['-c', cpuset, process.execPath, SELF], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const ms = Number(r.stdout?.trim());
  if (r.status === 0 && Number.isFinite(ms) && ms > 0) return { ms, pinned: true };
  return { ms: probeMs(), pinned: false };
}

/** Jiffies from /proc/stat's aggregate line: all of them, and the stolen ones (null off Linux). */
export function cpuTimes(): { total: number; steal: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user/nice)
    return { total: f.slice(0, 8).reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
  } catch {
    return null;
  }
}

/** The share of all CPU time the hypervisor stole between two readings. */
export function stealShare(a: ReturnType<typeof cpuTimes>, b: ReturnType<typeof cpuTimes>): number | null {
  if (!a || !b || b.total <= a.total) return null;
  return (b.steal - a.steal) / (b.total - a.total);
}

/** Call before a step (runs the probe); the returned function, after it, gives the step's sample. */
export function driftMeter(cpuset: string): () => DriftSample {
  const probe = probeOn(cpuset);
  const before = cpuTimes();
  return () => ({ probeMs: probe.ms, probePinned: probe.pinned, stealShare: stealShare(before, cpuTimes()) });
}

if (process.argv[1] === SELF) process.stdout.write(`${probeMs().toFixed(3)}\n`);
