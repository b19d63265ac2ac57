/**
 * How a target is brought up, measured and stopped: natively with the lab's launcher (./lab: cgroups carry the
 * budget), or with Docker Compose (each container's cgroup read through /proc/<pid>/cgroup). Both give the
 * runner the same things: up, down, alive, a usage snapshot and the budget read back.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCpuset } from '../lab/budget.js';
import { Cgroups, type ReadBack } from '../lab/cgroup.js';
import type { LabTarget } from '../lab/compose.js';
import { isRunning, type Lab } from '../lab/launcher.js';
import { readState } from '../lab/paths.js';
import { signalAll } from '../lab/pid.js';
import type { UsageSnapshot, Watched } from './resources.js';
import { runStreamed } from '../lib/stream.js';

export interface TargetDriver {
  readonly mode: 'native' | 'docker';
  /** `env`: extra environment for the launcher (09: LAB_HOP_ROUTES). */
  up(t: LabTarget, env?: Record<string, string>): Promise<void>;
  down(t: LabTarget): Promise<void>;
  /** Every service of the target still runs. */
  alive(t: LabTarget): boolean;
  snapshot(t: LabTarget): UsageSnapshot;
  budget(t: LabTarget): ReadBack | null;
  /** The cgroups whose memory peaks are tracked per run ("total" when the target has a parent cgroup). */
  watched(t: LabTarget): Watched[];
  cgroups(): Cgroups | null;
  /**
   * --order scenario: stop every process of an idle target (as `docker pause` does) so that it takes no CPU on
   * the measured target's cores, and let it go on before it is measured. Natively only.
   */
  freeze?(t: LabTarget): void;
  thaw?(t: LabTarget): void;
}

export interface NativeOptions {
  /** The environment the lab was configured with (LAB_SCALE from --scale, …). */
  env: NodeJS.ProcessEnv;
  noLimits: boolean;
  log: (line: string) => void;
}

export class NativeDriver implements TargetDriver {
  readonly mode = 'native' as const;
  constructor(
    private readonly lab: Lab,
    private readonly o: NativeOptions,
  ) {}

  /**
   * `./lab up` in a child process rather than Lab.up in this one: the services' parent is then a process that
   * exits at once, so they are reaped by init when they stop. Were this long-lived process their parent, a
   * stopped service would stay a zombie until Node reaps it, and its cgroup could not be removed meanwhile.
   */
  async up(t: LabTarget, env: Record<string, string> = {}): Promise<void> {
    const cli = join(this.lab.paths.root, 'runner', 'dist', 'src', 'lab', 'cli.js');
    const args = [cli, 'up', t.profile, ...(this.o.noLimits ? ['--no-limits'] : [])];
    const { code, tail } = await runStreamed(process.execPath, args, {
      env: { ...this.o.env, ...env },
      log: this.o.log,
      keep: 15,
    });
    if (code !== 0) throw new Error(`./lab up ${t.profile} failed (exit ${code}):\n${tail.join('\n')}`);
  }

  /**
   * Lab.down, retried: when this process started the target, a service that just exited stays a zombie child
   * of ours until Node reaps it, and a cgroup holding a zombie cannot be removed yet (EBUSY). Waiting lets the
   * event loop reap it; the launcher's down is idempotent.
   */
  async down(t: LabTarget): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.lab.down(t.profile, { quiet: true });
        return;
      } catch (e) {
        if (attempt >= 10) throw e;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  alive(t: LabTarget): boolean {
    const state = readState(this.lab.paths, t.profile);
    if (!state) return false;
    return Object.values(state.services).every(isRunning);
  }

  snapshot(t: LabTarget): UsageSnapshot {
    return this.lab.usage(t.profile);
  }

  budget(t: LabTarget): ReadBack | null {
    const cg = this.lab.cgroups;
    const path = this.lab.cgroupPath(t.profile);
    return cg?.exists(path) ? cg.readLimits(path) : null;
  }

  watched(t: LabTarget): Watched[] {
    const cg = this.lab.cgroups;
    const path = this.lab.cgroupPath(t.profile);
    if (!cg?.exists(path)) return [];
    return [{ name: 'total', path }, ...cg.children(path).map((name) => ({ name, path: `${path}/${name}` }))];
  }

  cgroups(): Cgroups | null {
    return this.lab.cgroups;
  }

  freeze(t: LabTarget): void {
    signalAll(this.lab.processes(t.profile), 'SIGSTOP');
  }

  thaw(t: LabTarget): void {
    signalAll(this.lab.processes(t.profile), 'SIGCONT');
  }
}

function run(cmd: string, args: string[], root: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.once('exit', (c) =>
      c === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${c}`)),
    );
  });
}

/** Whether a Docker engine answers (`docker info`). */
export function dockerAvailable(): boolean {
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return r.status === 0 && r.stdout.trim() !== '';
}

interface Container {
  name: string;
  pid: number;
  running: boolean;
  /** cgroup path relative to the hierarchy root, when this host can read it. */
  cgroup: string | null;
}

/**
 * Compose can pin a container to cores and cap each container's own CPU, but it cannot cap a whole profile (micro's
 * seven containers) with one shared quota, which is what a fractional LAB_CPUS means natively. Rather than measure
 * Docker targets under a different budget than native ones, a fractional budget is refused there.
 */
export function dockerBudgetProblem(cpus: number, sutCpuset: string): string | null {
  const cores = parseCpuset(sutCpuset).length;
  if (cpus === cores) return null;
  return (
    `LAB_CPUS=${cpus} is a share of LAB_SUT_CPUSET's ${cores} core(s): with Docker the budget is whole cores ` +
    `(compose has no quota shared by a profile's containers). Run natively, or set LAB_CPUS=${cores} ` +
    '(docs/methodology.md, "The budget")'
  );
}

export class DockerDriver implements TargetDriver {
  readonly mode = 'docker' as const;
  private readonly cg: Cgroups | null = Cgroups.detect();
  constructor(private readonly root: string) {}

  async up(t: LabTarget, env: Record<string, string> = {}): Promise<void> {
    if (Object.keys(env).length > 0)
      throw new Error(
        `${t.name}: routing internal hops through the latency injector (scenario 09) is native-only; with Docker, ` +
          'use netem on the compose network (docs/scenarios/09-network-latency.md)',
      );
    await run('docker', ['compose', '--profile', t.profile, 'up', '-d', '--build', '--wait'], this.root);
  }

  async down(t: LabTarget): Promise<void> {
    await run('docker', ['compose', '--profile', t.profile, 'down'], this.root);
  }

  private containers(t: LabTarget): Container[] {
    const ids = spawnSync('docker', ['compose', '--profile', t.profile, 'ps', '-q'], {
      cwd: this.root,
      encoding: 'utf8',
    })
      .stdout.split('\n')
      .filter(Boolean);
    if (ids.length === 0) return [];
    const r = spawnSync(
      'docker',
      [
        'inspect',
        '--format',
        '{{index .Config.Labels "com.docker.compose.service"}}|{{.State.Pid}}|{{.State.Running}}',
        ...ids,
      ],
      { encoding: 'utf8' },
    );
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, pid, running] = line.split('|');
        return {
          name: name!,
          pid: Number(pid),
          running: running === 'true',
          cgroup: this.cgroupOf(Number(pid)),
        };
      });
  }

  private cgroupOf(pid: number): string | null {
    if (!this.cg || !pid) return null;
    try {
      const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
      const line =
        this.cg.version === 2
          ? lines.find((l) => l.startsWith('0::'))
          : lines.find((l) => /:memory:/.test(l));
      const path = line?.slice(line.lastIndexOf(':') + 1).replace(/^\/+/, '');
      return path || null;
    } catch {
      return null;
    }
  }

  alive(t: LabTarget): boolean {
    const cs = this.containers(t);
    return cs.length > 0 && cs.every((c) => c.running);
  }

  snapshot(t: LabTarget): UsageSnapshot {
    const services: UsageSnapshot['services'] = {};
    for (const c of this.containers(t))
      if (c.cgroup && this.cg) services[c.name] = this.cg.readUsage(c.cgroup);
    return { total: null, services };
  }

  /** Compose gives every container the SUT cpuset and its own mem_limit: the budget is their union and sum. */
  budget(t: LabTarget): ReadBack | null {
    const cs = this.containers(t).filter((c) => c.cgroup);
    if (!this.cg || cs.length === 0) return null;
    const limits = cs.map((c) => this.cg!.readLimits(c.cgroup!));
    const cpuset = limits[0]!.cpuset;
    const mems = limits.map((l) => l.memoryBytes);
    return {
      cpus: cpuset ? parseCpuset(cpuset).length : null,
      cpuset,
      memoryBytes: mems.every((m) => m !== null) ? mems.reduce((a, m) => a! + m!, 0) : null,
    };
  }

  watched(t: LabTarget): Watched[] {
    return this.containers(t)
      .filter((c) => c.cgroup)
      .map((c) => ({ name: c.name, path: c.cgroup! }));
  }

  cgroups(): Cgroups | null {
    return this.cg;
  }
}
