/**
 * Resources of one measured run, from the cgroups: CPU seconds (per service and in total), CPU as a share of
 * the budget, throttled periods, and the peak memory of the run itself.
 *
 * Peak memory per run: the kernel keeps a high-water mark since the cgroup was created, which would carry the
 * previous run's (or the seeding's) peak into this one. So before each run the mark is reset:
 * - cgroup v1: writing 0 to memory.max_usage_in_bytes resets it to the current usage;
 * - cgroup v2 (Linux >= 6.12): writing to memory.peak resets it for reads through the same open file, so the
 *   file stays open for the run;
 * - otherwise (older v2 kernels, Docker without a readable cgroup): memory.current/usage is sampled every
 *   200 ms and the maximum kept ("sampled": a short spike between samples can be missed).
 * Every figure says which method produced it.
 */
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Cgroups, ReadBack, Usage } from '../lab/cgroup.js';
import type {
  CoreBusyMethod,
  HostNoise,
  PeakMethod,
  ServiceResources,
  SutResources,
} from '../results/types.js';

/** A cgroup to watch, by path relative to the hierarchy root; `name` is the service (or "total"). */
export interface Watched {
  name: string;
  path: string;
}

function readNumber(file: string): number | null {
  try {
    const v = readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(v) ? Number(v) : null;
  } catch {
    return null;
  }
}

/** Per-run memory peaks of several cgroups. start() before the run, stop() after. */
export class PeakTracker {
  private readonly fds = new Map<string, number>();
  private readonly sampled = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  method: PeakMethod = 'none';

  constructor(
    private readonly cg: Cgroups,
    private readonly watched: Watched[],
  ) {}

  private memFile(path: string, file: string): string {
    return this.cg.version === 1 ? join(this.cg.root, 'memory', path, file) : join(this.cg.root, path, file);
  }

  private current(path: string): number | null {
    return readNumber(this.memFile(path, this.cg.version === 1 ? 'memory.usage_in_bytes' : 'memory.current'));
  }

  start(): void {
    let reset = true;
    for (const w of this.watched) {
      try {
        if (this.cg.version === 1) writeFileSync(this.memFile(w.path, 'memory.max_usage_in_bytes'), '0');
        else {
          const fd = openSync(this.memFile(w.path, 'memory.peak'), 'r+');
          this.fds.set(w.name, fd);
          writeSync(fd, 'reset\n');
        }
      } catch {
        reset = false;
      }
    }
    this.method = reset ? (this.cg.version === 1 ? 'reset-v1' : 'reset-v2') : 'sampled';
    const sample = () => {
      for (const w of this.watched) {
        const v = this.current(w.path);
        if (v !== null) this.sampled.set(w.name, Math.max(this.sampled.get(w.name) ?? 0, v));
      }
    };
    sample();
    this.timer = setInterval(sample, 200);
    this.timer.unref();
  }

  /** Peak bytes per watched name (null where nothing could be read). */
  stop(): Record<string, number | null> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const out: Record<string, number | null> = {};
    for (const w of this.watched) {
      let peak: number | null = null;
      if (this.method === 'reset-v1') peak = readNumber(this.memFile(w.path, 'memory.max_usage_in_bytes'));
      else if (this.method === 'reset-v2') {
        const fd = this.fds.get(w.name);
        if (fd !== undefined) {
          const buf = Buffer.alloc(64);
          try {
            const n = readSync(fd, buf, 0, 64, 0);
            const v = buf.subarray(0, n).toString().trim();
            peak = /^\d+$/.test(v) ? Number(v) : null;
          } catch {
            peak = null;
          }
        }
      }
      // Whichever is larger: the kernel's mark, or what the sampler saw (never less than a seen value).
      const seen = this.sampled.get(w.name) ?? null;
      out[w.name] = peak === null ? seen : seen === null ? peak : Math.max(peak, seen);
    }
    for (const fd of this.fds.values()) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.fds.clear();
    if (this.method === 'sampled' && Object.values(out).every((v) => v === null)) this.method = 'none';
    return out;
  }
}

export interface UsageSnapshot {
  total: Usage | null;
  services: Record<string, Usage>;
}

/** Differences of two usage snapshots of one target (per service and total) over a run. */
export function sutDelta(
  before: UsageSnapshot,
  after: UsageSnapshot,
  wallSeconds: number,
  budget: ReadBack | null,
  peaks: Record<string, number | null>,
  peakMethod: PeakMethod,
): SutResources {
  const services: Record<string, ServiceResources> = {};
  let sumCpu = 0;
  let sumPeriods = 0;
  let sumThrottled = 0;
  for (const [name, a] of Object.entries(after.services)) {
    const b = before.services[name];
    const cpu = Math.max(0, a.cpuSeconds - (b?.cpuSeconds ?? 0));
    const periods = Math.max(0, a.periods - (b?.periods ?? 0));
    const thr = Math.max(0, a.throttledPeriods - (b?.throttledPeriods ?? 0));
    services[name] = {
      cpuSeconds: cpu,
      periods,
      throttledPeriods: thr,
      peakMemoryBytes: peaks[name] ?? null,
    };
    sumCpu += cpu;
    sumPeriods = Math.max(sumPeriods, periods);
    sumThrottled += thr;
  }
  const total = after.total && before.total;
  const cpuSeconds = total ? Math.max(0, after.total!.cpuSeconds - before.total!.cpuSeconds) : sumCpu;
  const periods = total ? Math.max(0, after.total!.periods - before.total!.periods) : sumPeriods;
  const throttled = total
    ? Math.max(0, after.total!.throttledPeriods - before.total!.throttledPeriods)
    : sumThrottled;
  const cores = budget?.cpus ?? null;
  let peakTotal = peaks['total'] ?? null;
  if (peakTotal === null) {
    const vals = Object.values(services).map((s) => s.peakMemoryBytes);
    // Without a parent cgroup the sum of per-service peaks bounds the total peak from above.
    peakTotal = vals.length && vals.every((v) => v !== null) ? vals.reduce((x, y) => x! + y!, 0) : null;
  }
  return {
    budget,
    cpuSeconds,
    cpuShareOfBudget: cores && wallSeconds > 0 ? cpuSeconds / (wallSeconds * cores) : null,
    periods,
    throttledPeriods: throttled,
    throttledShare: periods > 0 ? throttled / periods : null,
    peakMemoryBytes: peakTotal,
    peakMethod,
    services,
  };
}

/**
 * Busy CPU seconds per core since boot. Precise where the kernel keeps it: cgroup v1's root
 * `cpuacct.usage_percpu`, nanoseconds of every task from the scheduler's clock. Else /proc/stat, which the kernel
 * fills by sampling at each scheduler tick (250 Hz on these machines, no IRQ time accounting): under a CPU quota
 * whose period is a few ticks long (10 ms = 2.5 ticks) the tick sees the target's run/throttle pattern at a
 * nearly fixed phase, and its busy time is off by up to a fifth of a core for minutes (measured: harper's core
 * read 69% busy while its cgroup used 50%).
 */
export function coreBusySeconds(
  cgroupV1Root: string | null = null,
): { method: CoreBusyMethod; seconds: Map<number, number> } | null {
  if (cgroupV1Root) {
    try {
      const ns = readFileSync(join(cgroupV1Root, 'cpuacct', 'cpuacct.usage_percpu'), 'utf8')
        .trim()
        .split(/\s+/);
      if (ns.length > 0 && ns.every((v) => /^\d+$/.test(v)))
        return { method: 'cpuacct', seconds: new Map(ns.map((v, i) => [i, Number(v) / 1e9])) };
    } catch {
      /* not readable: /proc/stat below */
    }
  }
  try {
    const out = new Map<number, number>();
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!m) continue;
      const f = m[2]!.trim().split(/\s+/).map(Number);
      // user nice system idle iowait irq softirq steal: busy = everything but idle and iowait (USER_HZ = 100).
      const busy = f.slice(0, 8).reduce((a, v, i) => (i === 3 || i === 4 ? a : a + (v || 0)), 0);
      out.set(Number(m[1]), busy / 100);
    }
    return { method: 'proc-stat', seconds: out };
  } catch {
    return null;
  }
}

/**
 * Whether the machine was quiet: a cpuset pins the target to its cores but does not keep other processes off
 * them. Busy time on those cores minus what the target (or k6) used is someone else's.
 */
export function hostNoise(
  before: Map<number, number> | null,
  after: Map<number, number> | null,
  sutCores: number[],
  loadgenCores: number[],
  wallSeconds: number,
  sutCpu: number | null,
  k6Cpu: number | null,
): HostNoise {
  const busy = (cores: number[]) =>
    before && after ? cores.reduce((a, c) => a + ((after.get(c) ?? 0) - (before.get(c) ?? 0)), 0) : null;
  const share = (cores: number[], own: number | null) => {
    const b = busy(cores);
    if (b === null || own === null || wallSeconds <= 0 || cores.length === 0) return null;
    return Math.max(0, b - own) / (wallSeconds * cores.length);
  };
  return { sutCoresOtherShare: share(sutCores, sutCpu), loadgenCoresOtherShare: share(loadgenCores, k6Cpu) };
}
