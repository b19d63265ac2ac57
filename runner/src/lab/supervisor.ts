/**
 * The native stand-in for Docker's restart manager. `./lab up` starts a profile and exits, so nothing watches
 * its services; a Supervisor, while it runs (the fault scenario runs one, lab/cli could too), polls the
 * profile's services and applies each one's compose `restart:` policy (lab/restart-policy.ts) when one dies:
 * whatever else is left in the service's cgroup is killed (a container whose main process ends loses all its
 * processes), the policy's back-off is waited, and the service is started again inside its cgroup by the
 * launcher, then awaited healthy. Every death and restart is recorded with timestamps for the fault scenario.
 */
import type { ChildProcess } from 'node:child_process';
import { isAlive, type Lab } from './launcher.js';
import { readState } from './paths.js';
import {
  describePolicy,
  type Exit,
  RESET_AFTER_MS,
  restartDelayMs,
  shouldRestart,
} from './restart-policy.js';

export interface RestartEvent {
  service: string;
  /** The process that ended. */
  pid: number;
  exit: Exit;
  policy: string;
  /** Epoch ms when the supervisor saw the process gone. */
  diedAt: number;
  restarted: boolean;
  delayMs: number;
  newPid: number | null;
  /** Epoch ms when the new process passed its health check. */
  healthyAt: number | null;
  error: string | null;
}

export interface SupervisorOptions {
  pollMs?: number;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Supervisor {
  /** Every supervisor watching now: an interrupted command stops them all before it brings its target down. */
  private static readonly running = new Set<Supervisor>();
  readonly events: RestartEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Services being handled (restarting, or dead and not to be restarted): not looked at again meanwhile. */
  private readonly busy = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  /** How the processes this supervisor started itself end (the others' exit status is unknowable). */
  private readonly exits = new Map<number, Promise<Exit>>();
  private readonly restarts = new Map<string, number>();
  private readonly quick = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly log: (line: string) => void;

  constructor(
    private readonly lab: Lab,
    private readonly profile: string,
    private readonly opts: SupervisorOptions = {},
  ) {
    this.log = opts.log ?? (() => undefined);
  }

  start(): this {
    this.timer = setInterval(() => this.tick(), this.opts.pollMs ?? 50);
    Supervisor.running.add(this);
    return this;
  }

  static async stopAll(): Promise<void> {
    await Promise.all([...Supervisor.running].map((s) => s.stop()));
  }

  /** Stops watching and waits for a restart in progress to finish (so `down` never races one). */
  async stop(): Promise<void> {
    Supervisor.running.delete(this);
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.pending]);
  }

  private tick(): void {
    const state = readState(this.lab.paths, this.profile);
    if (!state || this.stopped) return;
    for (const [name, svc] of Object.entries(state.services)) {
      if (this.busy.has(name) || isAlive(svc.pid)) continue;
      this.busy.add(name);
      const p = this.handle(name, svc.pid, svc.cgroup).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  private async handle(name: string, pid: number, cgroup: string | null): Promise<void> {
    const spec = this.lab.compose.services.get(name)!;
    const diedAt = Date.now();
    // Our own child can look dead (a zombie) a moment before Node reaps it and reports its status.
    const exit: Exit = await Promise.race<Exit>([
      this.exits.get(pid) ?? ('unknown' as const),
      sleep(1000).then(() => 'unknown' as const),
    ]);
    const n = this.restarts.get(name) ?? 0;
    const ev: RestartEvent = {
      service: name,
      pid,
      exit,
      policy: describePolicy(spec.restart),
      diedAt,
      restarted: false,
      delayMs: 0,
      newPid: null,
      healthyAt: null,
      error: null,
    };
    this.events.push(ev);
    this.killRest(cgroup);
    if (!shouldRestart(spec.restart, exit, n)) {
      this.log(`${name}: pid ${pid} ended; restart policy ${ev.policy}: not restarted`);
      return;
    }
    const last = this.startedAt.get(name);
    const quick = last !== undefined && diedAt - last < RESET_AFTER_MS ? (this.quick.get(name) ?? 0) + 1 : 0;
    this.quick.set(name, quick);
    ev.delayMs = restartDelayMs(quick);
    this.log(`${name}: pid ${pid} ended; restart policy ${ev.policy}: restarting in ${ev.delayMs} ms`);
    await sleep(ev.delayMs);
    if (this.stopped) return;
    try {
      this.restarts.set(name, n + 1);
      this.startedAt.set(name, Date.now());
      const { pid: newPid } = await this.lab.restartService(this.profile, name, (pid, child) =>
        this.watch(pid, child),
      );
      ev.restarted = true;
      ev.newPid = newPid;
      ev.healthyAt = Date.now();
      this.log(`${name}: restarted as pid ${newPid}, healthy ${ev.healthyAt - diedAt} ms after it died`);
    } catch (e) {
      ev.error = (e as Error).message;
      this.log(`${name}: restart failed: ${ev.error}`);
    }
    this.busy.delete(name);
  }

  private watch(pid: number, child: ChildProcess): void {
    const ended =
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
        : new Promise<Exit>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    this.exits.set(pid, ended);
  }

  /** Kills what is left of a service whose main process ended (as the kernel does to a container's). */
  private killRest(cgroup: string | null): void {
    const cg = this.lab.cgroups;
    if (!cgroup || !cg?.exists(cgroup)) return;
    for (const p of cg.pids(cgroup).filter(isAlive)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}
