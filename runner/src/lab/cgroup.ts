import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** Limits written to a cgroup; absent fields are left alone. */
export interface Limits {
  /** CPU quota in cores (quota / period). */
  cpus?: number;
  cpuset?: string;
  memoryBytes?: number;
}

/** Limits as the kernel reports them back (null = unlimited). */
export interface ReadBack {
  cpus: number | null;
  cpuset: string | null;
  memoryBytes: number | null;
}

export interface Usage {
  cpuSeconds: number;
  periods: number;
  throttledPeriods: number;
  throttledSeconds: number;
  memoryBytes: number;
  /** Peak memory since the cgroup was created (null where the kernel has no such counter). */
  memoryPeakBytes: number | null;
}

/**
 * The CFS period of the budget's quota. A fractional budget (LAB_CPUS=0.5) is enforced per period: with the
 * kernel's and Docker's 100 ms a saturated target runs 50 ms, then stalls 50 ms, and that stall — not the
 * target — becomes every p95/p99 (measured: docs/methodology.md, "The budget"). 10 ms bounds the stall at 5 ms.
 */
export const PERIOD_US = 10_000;
const V1_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids'] as const;
const V2_CONTROLLERS = ['cpu', 'cpuset', 'memory', 'pids'];
/** The kernel's "no limit" for memory in v1 is a page-rounded LONG_MAX. */
const V1_UNLIMITED = 2 ** 62;

export class CgroupError extends Error {}

/**
 * The lab's cgroups, v1 (separate hierarchies per controller, as on these machines) or v2 (unified). Paths are
 * relative to the lab's own subtree ("lab/<profile>/<service>"). `root` is /sys/fs/cgroup, or a temporary fake
 * tree in tests (where rmdir of a directory holding files must be recursive: `fakeTree`).
 */
export class Cgroups {
  constructor(
    readonly version: 1 | 2,
    readonly root: string,
    private readonly fakeTree = false,
  ) {}

  /** Detects the hierarchy under `root`; null when there is no usable one (macOS, no cgroupfs). */
  static detect(root = '/sys/fs/cgroup'): Cgroups | null {
    if (existsSync(join(root, 'cgroup.controllers'))) return new Cgroups(2, root);
    if (V1_CONTROLLERS.slice(0, 4).every((c) => existsSync(join(root, c)))) return new Cgroups(1, root);
    return null;
  }

  private dirs(path: string): string[] {
    return this.version === 1 ? V1_CONTROLLERS.map((c) => join(this.root, c, path)) : [join(this.root, path)];
  }

  private ctl(controller: (typeof V1_CONTROLLERS)[number], path: string, file: string): string {
    return this.version === 1 ? join(this.root, controller, path, file) : join(this.root, path, file);
  }

  private write(file: string, value: string): void {
    try {
      writeFileSync(file, value);
    } catch (e) {
      throw new CgroupError(`cannot write "${value}" to ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }

  private read(file: string): string | null {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return null;
    }
  }

  /** Whether the lab may create cgroups here (root on Linux with a writable cgroupfs). */
  writable(): string | null {
    const probe = 'lab';
    try {
      for (const d of this.dirs(probe)) mkdirSync(d, { recursive: true });
      if (this.version === 2) this.enableControllers('');
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  private enableControllers(path: string): void {
    // v2: a child gets a controller only when its parent lists it in cgroup.subtree_control.
    const dir = join(this.root, path);
    const available = (this.read(join(dir, 'cgroup.controllers')) ?? '').split(/\s+/);
    const wanted = V2_CONTROLLERS.filter((c) => available.includes(c) || this.fakeTree);
    for (const need of ['cpu', 'memory', 'cpuset']) {
      if (!wanted.includes(need)) {
        throw new CgroupError(
          `cgroup v2 controller "${need}" is not available in ${dir} (cgroup.controllers)`,
        );
      }
    }
    this.write(join(dir, 'cgroup.subtree_control'), wanted.map((c) => `+${c}`).join(' '));
  }

  /** Creates (or updates) a cgroup and writes its limits. Parents must be created first. */
  ensure(path: string, limits: Limits): void {
    const parts = path.split('/');
    if (this.version === 2) {
      for (let i = 0; i < parts.length; i++) {
        const at = parts.slice(0, i).join('/');
        const dir = join(this.root, parts.slice(0, i + 1).join('/'));
        if (!existsSync(dir)) mkdirSync(dir);
        if (i < parts.length - 1 || this.fakeTree) this.enableControllers(at);
      }
    } else {
      for (const d of this.dirs(path)) mkdirSync(d, { recursive: true });
      // v1 cpuset: a new group starts with empty cpus/mems and takes no task until both are set, at every level.
      for (let i = 1; i <= parts.length; i++) {
        const p = parts.slice(0, i).join('/');
        const parent = parts.slice(0, i - 1).join('/');
        for (const f of ['cpuset.mems', 'cpuset.cpus']) {
          const mine = this.read(this.ctl('cpuset', p, f));
          if (!mine) this.write(this.ctl('cpuset', p, f), this.read(this.ctl('cpuset', parent, f)) || '0');
        }
      }
    }
    if (limits.cpuset !== undefined) {
      this.write(this.ctl('cpuset', path, 'cpuset.cpus'), limits.cpuset);
      if (this.version === 2 && !this.read(this.ctl('cpuset', path, 'cpuset.mems'))) {
        this.write(
          this.ctl('cpuset', path, 'cpuset.mems'),
          this.read(join(this.root, 'cpuset.mems.effective')) || '0',
        );
      }
    }
    if (limits.cpus !== undefined) {
      const quota = Math.round(limits.cpus * PERIOD_US);
      if (this.version === 1) {
        this.write(this.ctl('cpu', path, 'cpu.cfs_period_us'), String(PERIOD_US));
        this.write(this.ctl('cpu', path, 'cpu.cfs_quota_us'), String(quota));
      } else {
        this.write(this.ctl('cpu', path, 'cpu.max'), `${quota} ${PERIOD_US}`);
      }
    }
    if (limits.memoryBytes !== undefined) {
      if (this.version === 1)
        this.write(this.ctl('memory', path, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      else this.write(this.ctl('memory', path, 'memory.max'), String(limits.memoryBytes));
    }
  }

  /** Files a process writes its own PID into to join the cgroup (one per v1 hierarchy). */
  procsFiles(path: string): string[] {
    return this.dirs(path).map((d) => join(d, 'cgroup.procs'));
  }

  exists(path: string): boolean {
    return this.dirs(path).some((d) => existsSync(d));
  }

  /** Every PID in the cgroup and its descendants, across all hierarchies. */
  pids(path: string): number[] {
    const out = new Set<number>();
    const walk = (dir: string) => {
      const procs = this.read(join(dir, 'cgroup.procs'));
      for (const line of (procs ?? '').split('\n')) if (/^\d+$/.test(line)) out.add(Number(line));
      for (const child of this.childDirs(dir)) walk(join(dir, child));
    };
    for (const d of this.dirs(path)) if (existsSync(d)) walk(d);
    return [...out].sort((a, b) => a - b);
  }

  private childDirs(dir: string): string[] {
    try {
      return readdirSync(dir).filter((n) => {
        try {
          return statSync(join(dir, n)).isDirectory();
        } catch {
          return false;
        }
      });
    } catch {
      return [];
    }
  }

  /** Child cgroup names of a path (union over hierarchies). */
  children(path: string): string[] {
    const names = new Set<string>();
    for (const d of this.dirs(path)) for (const n of this.childDirs(d)) names.add(n);
    return [...names].sort();
  }

  readLimits(path: string): ReadBack {
    let cpus: number | null;
    let memoryBytes: number | null;
    if (this.version === 1) {
      const quota = Number(this.read(this.ctl('cpu', path, 'cpu.cfs_quota_us')) ?? -1);
      const period = Number(this.read(this.ctl('cpu', path, 'cpu.cfs_period_us')) ?? PERIOD_US);
      cpus = quota > 0 ? quota / period : null;
      const mem = Number(this.read(this.ctl('memory', path, 'memory.limit_in_bytes')) ?? Number.NaN);
      memoryBytes = Number.isFinite(mem) && mem < V1_UNLIMITED ? mem : null;
    } else {
      const [q, p] = (this.read(this.ctl('cpu', path, 'cpu.max')) ?? 'max').split(/\s+/);
      cpus = q && q !== 'max' ? Number(q) / Number(p ?? PERIOD_US) : null;
      const mem = this.read(this.ctl('memory', path, 'memory.max'));
      memoryBytes = mem && mem !== 'max' ? Number(mem) : null;
    }
    const cpuset = this.read(this.ctl('cpuset', path, 'cpuset.cpus')) || null;
    return { cpus, cpuset, memoryBytes };
  }

  readUsage(path: string): Usage {
    const stat = new Map<string, number>();
    for (const line of (this.read(this.ctl('cpu', path, 'cpu.stat')) ?? '').split('\n')) {
      const [k, v] = line.split(/\s+/);
      if (k && v !== undefined) stat.set(k, Number(v));
    }
    if (this.version === 1) {
      const peak = this.read(this.ctl('memory', path, 'memory.max_usage_in_bytes'));
      return {
        cpuSeconds: Number(this.read(this.ctl('cpuacct', path, 'cpuacct.usage')) ?? 0) / 1e9,
        periods: stat.get('nr_periods') ?? 0,
        throttledPeriods: stat.get('nr_throttled') ?? 0,
        throttledSeconds: (stat.get('throttled_time') ?? 0) / 1e9,
        memoryBytes: Number(this.read(this.ctl('memory', path, 'memory.usage_in_bytes')) ?? 0),
        memoryPeakBytes: peak === null ? null : Number(peak),
      };
    }
    const peak = this.read(this.ctl('memory', path, 'memory.peak'));
    return {
      cpuSeconds: (stat.get('usage_usec') ?? 0) / 1e6,
      periods: stat.get('nr_periods') ?? 0,
      throttledPeriods: stat.get('nr_throttled') ?? 0,
      throttledSeconds: (stat.get('throttled_usec') ?? 0) / 1e6,
      memoryBytes: Number(this.read(this.ctl('memory', path, 'memory.current')) ?? 0),
      memoryPeakBytes: peak === null ? null : Number(peak),
    };
  }

  /** Removes a cgroup and its descendants (they must hold no process), leaf first. Missing is fine. */
  async remove(path: string): Promise<void> {
    for (const d of this.dirs(path)) await this.removeDir(d);
  }

  private async removeDir(dir: string): Promise<void> {
    if (!existsSync(dir)) return;
    for (const child of this.childDirs(dir)) await this.removeDir(join(dir, child));
    // A task that has just been killed leaves its cgroup a moment after it stops running (EBUSY meanwhile).
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        // Real cgroupfs removes a directory of control files with rmdir; a fake tree on tmpfs needs rm -r.
        if (this.fakeTree) rmSync(dir, { recursive: true, force: true });
        else rmdirSync(dir);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        if (code !== 'EBUSY' || Date.now() > deadline) {
          throw new CgroupError(`cannot remove ${dir}: ${code} (does it still hold processes?)`);
        }
        // Asynchronously: the caller may be the exited task's parent, which must get to reap it meanwhile.
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}
