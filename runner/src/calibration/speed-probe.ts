/**
 * Machine drift: a fixed small CPU workload timed before every measured run, on the load generator's cores (idle
 * until k6 starts; the target's core may still be busy with the target's own work after its reset), and the
 * steal time the hypervisor reports in /proc/stat during the run. The same work taking longer means the machine
 * (a neighbour, the host, the clock) got slower, not the target: stats/aggregate.ts flags runs whose probe
 * differs from the run's median by more than DRIFT_SHARE.
 *
 * Run alone: node speed-probe.js prints the two probes' milliseconds (compute, then memory).
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

/** 4 Mi slots of 4 bytes: 16 MiB, half the L3 these machines share with their neighbours (32 MiB). */
const CHASE_SLOTS = 1 << 22;
const CHASE_STEPS = 1 << 18;

/**
 * ~10–50 ms of dependent reads at random addresses over 16 MiB (a pointer chase through one cycle of every slot):
 * the memory-bound counterpart of probeMs. Alone, the chase mostly hits the shared L3; a neighbour that takes the L3
 * or the memory bus sends it to DRAM, which a compute loop that fits in L1 never meets (docs/methodology.md,
 * "What the probe cannot see"). Recorded beside probeMs, not flagged on: its relation to the targets' cost is
 * what it is there to find out. The median of the last 4 of 5 chases (the first runs before the loop is optimised).
 */
export function memoryProbeMs(): number {
  const next = new Int32Array(CHASE_SLOTS);
  for (let i = 0; i < CHASE_SLOTS; i++) next[i] = i;
  // Sattolo's shuffle gives a single cycle: the chase visits every slot before it repeats one.
  let x = 0x2545f491;
  for (let i = CHASE_SLOTS - 1; i > 0; i--) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const j = x % i;
    const t = next[i]!;
    next[i] = next[j]!;
    next[j] = t;
  }
  const times: number[] = [];
  let p = 0;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    for (let s = 0; s < CHASE_STEPS; s++) p = next[p]!;
    times.push(performance.now() - t0);
  }
  if (p === -1) throw new Error('unreachable: keeps the chase from being optimised away');
  const last = times.slice(1).sort((a, b) => a - b);
  return (last[1]! + last[2]!) / 2;
}

const SELF = fileURLToPath(import.meta.url);

export interface Probe {
  ms: number;
  memoryMs: number;
  pinned: boolean;
}

/** Both probes on the given cores (a child pinned with taskset); in this process where taskset is missing. */
export function probeOn(cpuset: string): Probe {
  const r = spawnSync('taskset', ['-c', cpuset, process.execPath, SELF], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const [ms, memoryMs] = (r.stdout ?? '').trim().split(/\s+/).map(Number);
  if (r.status === 0 && ms! > 0 && memoryMs! > 0) return { ms: ms!, memoryMs: memoryMs!, pinned: true };
  return { ms: probeMs(), memoryMs: memoryProbeMs(), pinned: false };
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
  return () => ({
    probeMs: probe.ms,
    memoryProbeMs: probe.memoryMs,
    probePinned: probe.pinned,
    stealShare: stealShare(before, cpuTimes()),
  });
}

if (process.argv[1] === SELF) process.stdout.write(`${probeMs().toFixed(3)} ${memoryProbeMs().toFixed(3)}\n`);
