import { type ChildProcess, type StdioOptions, spawn, spawnSync } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { formatBytes } from './budget.js';
import { CgroupError, Cgroups, type ReadBack, type Usage } from './cgroup.js';
import {
  type Budget,
  budgetFromEnv,
  checkProfileRules,
  isSut,
  type LabCompose,
  loadCompose,
  resolveProfile,
  type ServiceSpec,
} from './compose.js';
import { checkHealth, waitForHealth } from './health.js';
import {
  LabPaths,
  listStates,
  type ProfileState,
  readState,
  removeState,
  type ServiceState,
} from './paths.js';
import { isSameProcess, startTimeOf } from './pid.js';
import { ensureTool, type ToolContext } from './tools.js';
import { applyRoutes, parseRoutes, ROUTES_VAR } from './hop-routes.js';
import { writeJsonAtomic } from '../lib/files.js';

export class LabError extends Error {}

export interface LabOptions {
  root: string;
  env?: NodeJS.ProcessEnv;
  /** cgroup filesystem root (default: LAB_CGROUP_ROOT, else /sys/fs/cgroup). */
  cgroupRoot?: string;
  /** The root is a fake tree on an ordinary filesystem (tests): version from its layout, rm -r to remove. */
  fakeCgroups?: boolean;
  /** Start without any budget when cgroups are not writable (everything is marked unlimited). */
  noLimits?: boolean;
  log?: (line: string) => void;
}

export interface ServiceStatus {
  name: string;
  pid: number;
  alive: boolean;
  healthy: boolean | null;
  limits: ReadBack | null;
  usage: Usage | null;
  memLimitBytes: number | null;
}

export interface ProfileStatus {
  profile: string;
  limited: boolean;
  cgroupVersion: 1 | 2 | null;
  cgroup: string | null;
  budget: ReadBack | null;
  usage: Usage | null;
  services: ServiceStatus[];
}

/** Environment variables passed through to native services; the rest comes from the compose file. */
const PASSTHROUGH = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];
/** Joins the cgroups named before "--" (writing its own PID), then execs the command after it. */
const JOIN_AND_EXEC = 'while [ "$1" != "--" ]; do echo $$ > "$1" || exit 97; shift; done; shift; exec "$@"';

/** Whether a service recorded in the state is still running as the process the lab started (see pid.ts). */
export function isRunning(svc: ServiceState): boolean {
  return isAlive(svc.pid) && isSameProcess(svc.pid, svc.pidStartTime);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie still answers signal 0; it is dead for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether nothing listens on 127.0.0.1:<port> (a listen attempt, released at once). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function userIds(user: string): { uid: number; gid: number } {
  const r = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) throw new LabError(`user "${user}" does not exist on this machine`);
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export function tailFile(file: string, lines: number): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * The native launcher: runs docker-compose.yml's profiles without Docker, each target inside a parent cgroup
 * carrying the lab budget and each service inside its own child cgroup.
 */
export class Lab {
  readonly compose: LabCompose;
  readonly budget: Budget;
  readonly paths: LabPaths;
  readonly cgroups: Cgroups | null;
  private readonly env: NodeJS.ProcessEnv;
  private readonly log: (line: string) => void;
  private readonly noLimits: boolean;

  constructor(o: LabOptions) {
    this.env = o.env ?? process.env;
    this.compose = loadCompose(o.root, this.env);
    this.budget = budgetFromEnv(this.compose.env);
    this.paths = new LabPaths(o.root);
    const cgroupRoot = o.cgroupRoot ?? this.env['LAB_CGROUP_ROOT'] ?? '/sys/fs/cgroup';
    this.cgroups = o.fakeCgroups
      ? new Cgroups(existsSync(`${cgroupRoot}/cgroup.controllers`) ? 2 : 1, cgroupRoot, true)
      : Cgroups.detect(cgroupRoot);
    this.log = o.log ?? ((l) => process.stderr.write(`${l}\n`));
    this.noLimits = o.noLimits ?? false;
  }

  private toolCtx(): ToolContext {
    return { paths: this.paths, env: this.env, log: this.log };
  }

  /** Expands {root} {data} {run} {tool:x} {compose-args} in one argv or string. */
  private async expand(s: ServiceSpec, args: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const a of args) {
      if (a === '{compose-args}') {
        out.push(...(s.command ?? []).slice(1));
        continue;
      }
      let v = a
        .replaceAll('{root}', this.paths.root)
        .replaceAll('{project}', this.compose.project)
        .replaceAll('{data}', this.paths.data(s.name))
        .replaceAll('{run}', this.paths.run(s.name));
      for (const m of v.matchAll(/\{tool:([a-z0-9_-]+)\}/g)) {
        const tool = await ensureTool(m[1]!, this.toolCtx());
        v = v.replace(m[0], tool.path);
      }
      out.push(v);
    }
    return out;
  }

  /** This checkout's cgroups: lab/<project>/<profile>[/<service>], never another checkout's. */
  cgroupPath(profile?: string, service?: string): string {
    return ['lab', this.compose.project, profile, service].filter(Boolean).join('/');
  }

  /** Whether this profile can be budgeted here; null when yes, else the reason. */
  limitsUnavailable(): string | null {
    if (!this.cgroups) return 'no cgroup filesystem (macOS, or /sys/fs/cgroup not mounted)';
    return this.cgroups.writable();
  }

  private profileLimits(services: ServiceSpec[]): { cpus?: number; cpuset?: string; memoryBytes?: number } {
    const sut = services.some((s) => isSut(s, this.budget));
    if (sut)
      return { cpus: this.budget.cpus, cpuset: this.budget.sutCpuset, memoryBytes: this.budget.memoryBytes };
    const cpusets = [...new Set(services.map((s) => s.cpuset).filter((c): c is string => c !== null))];
    const mems = services.map((s) => s.memLimitBytes);
    const limits: { cpuset?: string; memoryBytes?: number } = {};
    if (cpusets.length === 1) limits.cpuset = cpusets[0]!;
    if (mems.length > 0 && mems.every((m) => m !== null))
      limits.memoryBytes = mems.reduce((a, m) => a! + m!, 0)!;
    return limits;
  }

  private serviceEnv(s: ServiceSpec): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const k of PASSTHROUGH) if (this.env[k] !== undefined) env[k] = this.env[k];
    Object.assign(env, s.environment);
    for (const [k, v] of Object.entries(s.native?.env ?? {})) {
      env[k] = v
        .replaceAll('{root}', this.paths.root)
        .replaceAll('{data}', this.paths.data(s.name))
        .replaceAll('{run}', this.paths.run(s.name));
    }
    env['HOME'] = env['HOME'] ?? this.paths.run(s.name);
    env['LAB_SERVICE'] = s.name;
    env['LAB_DATA_DIR'] = this.paths.data(s.name);
    env['LAB_RUN_DIR'] = this.paths.run(s.name);
    // Scenario 09: internal hops through the latency injector (runner/src/latency).
    applyRoutes(env, parseRoutes(this.env[ROUTES_VAR]));
    return env;
  }

  /** The native services of a profile (Docker-only ones are never started natively). */
  private nativeServices(profile: string): ServiceSpec[] {
    return resolveProfile(this.compose, profile).filter((s) => !s.native!.dockerOnly);
  }

  /**
   * Finds (or installs) every tool a profile's services require, as `up` would, without starting anything:
   * a ToolError says why this profile cannot start here with this environment (e.g. a dataset scale its
   * database server cannot hold).
   */
  async ensureTools(profileOrServices: string | ServiceSpec[]): Promise<void> {
    const services =
      typeof profileOrServices === 'string' ? this.nativeServices(profileOrServices) : profileOrServices;
    for (const s of services) for (const t of s.native!.requires) await ensureTool(t, this.toolCtx());
  }

  /** Starts a profile natively and waits until every service is healthy; stops what it started on failure. */
  async up(profile: string, opts: { timeoutSeconds?: number } = {}): Promise<ProfileState> {
    const all = resolveProfile(this.compose, profile);
    const problems = checkProfileRules(this.compose, profile, this.budget);
    if (problems.length)
      throw new LabError(`profile ${profile} breaks the lab's rules:\n  ${problems.join('\n  ')}`);
    // Docker-only services (x-native.docker_only, e.g. Grafana) are not started natively; nothing may need them.
    const services = all.filter((s) => !s.native!.dockerOnly);
    for (const s of all.filter((x) => x.native!.dockerOnly)) {
      const needs = services.filter((x) => x.dependsOn.some((d) => d.name === s.name)).map((x) => x.name);
      if (needs.length)
        throw new LabError(`${needs.join(', ')} depend(s) on ${s.name}, which runs only with Docker`);
      this.log(`${s.name}: Docker only, not started natively (${s.native!.dockerOnly})`);
    }

    const existing = readState(this.paths, profile);
    if (existing && Object.values(existing.services).every(isRunning)) {
      const healthy = await Promise.all(
        services.filter((s) => !s.native!.oneshot).map((s) => this.healthy(s)),
      );
      if (healthy.every(Boolean)) {
        this.log(`${profile} is already up`);
        return existing;
      }
    }
    // Whatever an earlier run left behind (dead pids, stale cgroups, lock files) is cleaned up first.
    await this.down(profile, { quiet: true });
    await this.refuseTakenPorts(services);

    const unavailable = this.limitsUnavailable();
    if (unavailable && !this.noLimits) {
      throw new LabError(
        `cannot enforce the budget: cgroups are not writable here (${unavailable}). Run as root on Linux, ` +
          'or pass --no-limits to run without a budget (everything started that way is marked unlimited).',
      );
    }
    const limited = !unavailable;
    if (!limited)
      this.log(`WARNING: ${profile} runs WITHOUT a budget (--no-limits): results are not comparable`);
    const parent = this.cgroupPath(profile);
    const state: ProfileState = {
      profile,
      startedAt: new Date().toISOString(),
      limited,
      cgroupVersion: limited ? this.cgroups!.version : null,
      cgroup: limited ? parent : null,
      services: {},
    };
    const save = () => writeJsonAtomic(this.paths.state(profile), state);

    try {
      await this.ensureTools(services);
      if (limited) this.cgroups!.ensure(parent, this.profileLimits(services));
      save();
      const mustBeHealthy = new Set(
        services.flatMap((s) =>
          s.dependsOn.filter((d) => d.condition === 'service_healthy').map((d) => d.name),
        ),
      );
      for (const s of services) {
        if (s.native!.oneshot) {
          // As compose does for a dependency with condition service_completed_successfully: run it to the end.
          await this.runOneshotService(profile, s, limited);
          continue;
        }
        await this.startService(profile, s, state, limited, opts.timeoutSeconds);
        save();
        if (mustBeHealthy.has(s.name)) await this.awaitHealthy(s, state, opts.timeoutSeconds);
      }
      for (const s of services) {
        if (!s.native!.oneshot && !mustBeHealthy.has(s.name))
          await this.awaitHealthy(s, state, opts.timeoutSeconds);
      }
    } catch (e) {
      this.log(`${profile}: start failed, stopping what was started`);
      await this.down(profile, { quiet: true });
      if (e instanceof CgroupError) throw new LabError(`cgroups: ${e.message}`);
      throw e;
    }
    return state;
  }

  /**
   * Ports are the same in every checkout: a port already taken means another checkout's copy of this service (or
   * another program) answers there, and its health check would pass for ours. Refuse instead of measuring it.
   */
  private async refuseTakenPorts(services: ServiceSpec[]): Promise<void> {
    for (const s of services)
      for (const port of s.hostPorts) {
        if (await portFree(port)) continue;
        throw new LabError(
          `${s.name}: port ${port} on 127.0.0.1 is already taken, by another checkout's ${s.name} or another ` +
            `program (ss -ltnp 'sport = :${port}' shows which): stop it first (./lab down in that checkout)`,
        );
      }
  }

  private async startService(
    profile: string,
    s: ServiceSpec,
    state: ProfileState,
    limited: boolean,
    _timeout?: number,
  ): Promise<ChildProcess> {
    const n = s.native!;
    const data = this.paths.data(s.name);
    const run = this.paths.run(s.name);
    mkdirSync(data, { recursive: true });
    mkdirSync(run, { recursive: true });
    mkdirSync(dirname(this.paths.log(s.name)), { recursive: true });
    const ids = n.user ? userIds(n.user) : null;
    if (ids) {
      chownSync(data, ids.uid, ids.gid);
      chownSync(run, ids.uid, ids.gid);
    }
    const cg = this.cgroupPath(profile, s.name);
    if (limited) {
      const limits: { cpuset?: string; memoryBytes?: number } = {};
      if (s.cpuset) limits.cpuset = s.cpuset;
      if (s.memLimitBytes !== null) limits.memoryBytes = s.memLimitBytes;
      this.cgroups!.ensure(cg, limits);
    }
    for (const lock of await this.expand(s, n.locks)) rmSync(lock, { force: true });
    const logFile = this.paths.log(s.name);
    const env = this.serviceEnv(s);
    const asUser = (argv: string[]) =>
      n.user ? ['setpriv', `--reuid=${n.user}`, `--regid=${n.user}`, '--init-groups', '--', ...argv] : argv;
    const wrap = (argv: string[]) =>
      limited
        ? ['/bin/sh', '-c', JOIN_AND_EXEC, 'lab-join', ...this.cgroups!.procsFiles(cg), '--', ...asUser(argv)]
        : asUser(argv);

    const creates = n.creates ? (await this.expand(s, [n.creates]))[0]! : null;
    if (n.setup && (!creates || !existsSync(creates))) {
      const argv = wrap(await this.expand(s, n.setup));
      this.log(`${s.name}: setup ${n.setup.join(' ')}`);
      const fd = openSync(logFile, 'a');
      const r = spawnSync(argv[0]!, argv.slice(1), { env, cwd: this.paths.root, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      if (r.status !== 0) {
        throw new LabError(`${s.name}: setup failed (exit ${r.status})\n${tailFile(logFile, 30)}`);
      }
    }

    const command = await this.expand(s, n.command);
    const argv = wrap(command);
    const fd = openSync(logFile, 'a');
    const child = spawn(argv[0]!, argv.slice(1), {
      env,
      cwd: this.paths.root,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', (e) => reject(new LabError(`${s.name}: cannot start ${command[0]}: ${e.message}`)));
    });
    child.unref();
    state.services[s.name] = {
      pid,
      pidStartTime: startTimeOf(pid),
      cgroup: limited ? cg : null,
      startedAt: new Date().toISOString(),
      command,
      log: logFile,
      memLimitBytes: s.memLimitBytes,
      sut: isSut(s, this.budget),
    };
    this.log(`${s.name}: started pid ${pid}${limited ? ` in cgroup ${cg}` : ' (unlimited)'}`);
    return child;
  }

  /**
   * Starts one service of a profile that is up again, in its own cgroup, and waits until it is healthy: what
   * the restart policy's supervisor (lab/supervisor.ts) does after the service died. `child` is the new
   * process (also given to `onStart` as soon as it runs), so the supervisor can read how it ends.
   */
  async restartService(
    profile: string,
    name: string,
    onStart?: (pid: number, child: ChildProcess) => void,
  ): Promise<{ pid: number; child: ChildProcess }> {
    const state = readState(this.paths, profile);
    const s = this.compose.services.get(name);
    if (!state) throw new LabError(`${profile} is not up`);
    if (!s?.native || s.native.oneshot || !state.services[name])
      throw new LabError(`${name} is not a running service of ${profile}`);
    const child = await this.startService(profile, s, state, state.limited);
    writeJsonAtomic(this.paths.state(profile), state);
    onStart?.(state.services[name]!.pid, child);
    await this.awaitHealthy(s, state);
    return { pid: state.services[name]!.pid, child };
  }

  /** Runs a one-shot service (e.g. a seeder) inside its own cgroup and waits for it; a non-zero exit fails `up`. */
  private async runOneshotService(profile: string, s: ServiceSpec, limited: boolean): Promise<void> {
    const argv = await this.expand(s, s.native!.command);
    const logFile = this.paths.log(s.name);
    mkdirSync(dirname(logFile), { recursive: true });
    this.log(`${s.name}: running ${argv.join(' ')}`);
    const fd = openSync(logFile, 'a');
    const t0 = Date.now();
    try {
      const stdio: StdioOptions = ['ignore', fd, fd];
      const child = limited
        ? (await this.spawnInCgroup(profile, s.name, argv, { stdio })).child
        : spawn(argv[0]!, argv.slice(1), { env: this.serviceEnv(s), cwd: this.paths.root, stdio });
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', (e) => reject(new LabError(`${s.name}: cannot run ${argv[0]}: ${e.message}`)));
        child.once('exit', (c) => resolve(c));
      });
      if (code !== 0) {
        throw new LabError(
          `${s.name}: exited ${code}. Last log lines (${logFile}):\n${tailFile(logFile, 30)}`,
        );
      }
      this.log(`${s.name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      closeSync(fd);
      if (limited) await this.releaseOneshot(profile, s.name);
    }
  }

  private async healthy(s: ServiceSpec): Promise<boolean> {
    const n = s.native!;
    if (n.health && 'url' in n.health) return checkHealth({ url: n.health.url });
    const cmd = n.health && 'command' in n.health ? n.health.command : s.healthcheckTest;
    if (!cmd) return true;
    let argv = cmd;
    if (argv[0] === 'CMD') argv = argv.slice(1);
    else if (argv[0] === 'CMD-SHELL') argv = ['/bin/sh', '-c', argv.slice(1).join(' ')];
    else if (argv[0] === 'NONE') return true;
    return checkHealth({
      command: await this.expand(s, argv),
      env: this.serviceEnv(s),
      cwd: this.paths.root,
    });
  }

  private async awaitHealthy(s: ServiceSpec, state: ProfileState, timeoutSeconds?: number): Promise<void> {
    const svc = state.services[s.name];
    const timeout = (timeoutSeconds ?? s.native!.healthTimeoutSeconds) * 1000;
    const result = await waitForHealth(
      () => this.healthy(s),
      () => (svc === undefined ? false : isRunning(svc)),
      timeout,
    );
    if (result === 'healthy') {
      this.log(`${s.name}: healthy`);
      return;
    }
    const why =
      result === 'died' ? 'exited before becoming healthy' : `not healthy after ${timeout / 1000} s`;
    throw new LabError(
      `${s.name}: ${why}. Last log lines (${this.paths.log(s.name)}):\n${tailFile(this.paths.log(s.name), 30)}`,
    );
  }

  /** Profiles that have state or cgroups here (what `down` with no argument stops). */
  activeProfiles(): string[] {
    const names = new Set(listStates(this.paths).map((s) => s.profile));
    if (this.cgroups) for (const c of this.cgroups.children(this.cgroupPath())) names.add(c);
    return [...names].sort();
  }

  /**
   * Stops a profile (or every lab profile): the stop signal to each service's main process in reverse start
   * order, SIGKILL to whatever is left in its cgroup after the grace period, then the cgroups are removed.
   * Idempotent; stale state and empty cgroups are cleaned up silently.
   */
  async down(profile?: string, opts: { quiet?: boolean } = {}): Promise<string[]> {
    const profilesToStop = profile ? [profile] : this.activeProfiles();
    const stopped: string[] = [];
    const problems: string[] = [];
    for (const p of profilesToStop) {
      const state = readState(this.paths, p);
      let order: string[];
      try {
        order = resolveProfile(this.compose, p).map((s) => s.name);
      } catch {
        order = [];
      }
      const names = [...new Set([...order, ...Object.keys(state?.services ?? {})])];
      const cgChildren = this.cgroups ? this.cgroups.children(this.cgroupPath(p)) : [];
      for (const c of cgChildren) if (!names.includes(c)) names.push(c);
      for (const name of names.reverse()) {
        const svc = state?.services[name];
        const spec = this.compose.services.get(name);
        const cg = this.cgroups?.exists(this.cgroupPath(p, name)) ? this.cgroupPath(p, name) : null;
        const pids = new Set<number>(cg ? this.cgroups!.pids(cg) : []);
        // Without a cgroup the state's PID is all there is: signal it only while it is still our process.
        if (svc && !cg && isRunning(svc)) pids.add(svc.pid);
        const alive = [...pids].filter(isAlive);
        if (alive.length > 0) {
          const main = svc && alive.includes(svc.pid) ? svc.pid : null;
          const signal = spec?.stopSignal ?? 'SIGTERM';
          const targets = main ? [main] : alive;
          for (const pid of targets) {
            try {
              process.kill(pid, signal);
            } catch {
              /* already gone */
            }
          }
          const grace = (spec?.stopGraceSeconds ?? 10) * 1000;
          const remaining = () => (cg ? this.cgroups!.pids(cg) : [...pids]).filter(isAlive);
          const t0 = Date.now();
          while (remaining().length > 0 && Date.now() - t0 < grace) await sleep(100);
          const left = remaining();
          for (const pid of left) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              /* gone */
            }
          }
          if (!svc && !cg) for (const pid of left) this.log(`${name}: SIGKILL ${pid}`);
          const t1 = Date.now();
          while (remaining().length > 0 && Date.now() - t1 < 5000) await sleep(50);
          if (left.length > 0) this.log(`${name}: killed ${left.length} process(es) after ${grace / 1000} s`);
          stopped.push(name);
          if (!opts.quiet) this.log(`${name}: stopped`);
        }
        if (cg) {
          try {
            await this.cgroups!.remove(cg);
          } catch (e) {
            problems.push((e as Error).message);
          }
        }
      }
      if (this.cgroups?.exists(this.cgroupPath(p))) {
        const stray = this.cgroups.pids(this.cgroupPath(p)).filter(isAlive);
        for (const pid of stray) process.kill(pid, 'SIGKILL');
        if (stray.length) await sleep(200);
        try {
          await this.cgroups.remove(this.cgroupPath(p));
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
      if (problems.length === 0) removeState(this.paths, p);
    }
    if (problems.length > 0) throw new LabError(`down left something behind:\n  ${problems.join('\n  ')}`);
    // This checkout's group, then the machine-wide `lab` group, once empty; another checkout may be creating
    // a profile in either right now, so a failure to remove is not an error.
    for (const group of profile ? [] : [this.cgroupPath(), 'lab']) {
      if (!this.cgroups?.exists(group) || this.cgroups.children(group).length > 0) continue;
      try {
        await this.cgroups.remove(group);
      } catch {
        /* in use again */
      }
    }
    return stopped;
  }

  async status(): Promise<ProfileStatus[]> {
    const out: ProfileStatus[] = [];
    for (const p of this.activeProfiles()) {
      const state = readState(this.paths, p);
      const cg = this.cgroups?.exists(this.cgroupPath(p)) ? this.cgroupPath(p) : null;
      const services: ServiceStatus[] = [];
      for (const [name, svc] of Object.entries(state?.services ?? {})) {
        const spec = this.compose.services.get(name);
        const alive = isRunning(svc);
        services.push({
          name,
          pid: svc.pid,
          alive,
          healthy: alive && spec?.native ? await this.healthy(spec) : alive ? null : false,
          limits: svc.cgroup && this.cgroups?.exists(svc.cgroup) ? this.cgroups.readLimits(svc.cgroup) : null,
          usage: svc.cgroup && this.cgroups?.exists(svc.cgroup) ? this.cgroups.readUsage(svc.cgroup) : null,
          memLimitBytes: svc.memLimitBytes,
        });
      }
      out.push({
        profile: p,
        limited: state?.limited ?? cg !== null,
        cgroupVersion: state?.cgroupVersion ?? this.cgroups?.version ?? null,
        cgroup: cg,
        budget: cg ? this.cgroups!.readLimits(cg) : null,
        usage: cg ? this.cgroups!.readUsage(cg) : null,
        services,
      });
    }
    return out;
  }

  /**
   * Runs a one-shot process (e.g. k6) inside `lab/<project>/<profile>/<service>` with that service's cpuset and memory
   * limit, so that its CPU can be read back like any service's (`usage`). The caller owns the child; call
   * `releaseOneshot` when it has exited.
   */
  async spawnInCgroup(
    profile: string,
    service: string,
    argv: string[],
    opts: { env?: NodeJS.ProcessEnv; cwd?: string; stdio?: StdioOptions } = {},
  ): Promise<{ child: ReturnType<typeof spawn>; cgroup: string | null }> {
    const spec = this.compose.services.get(service);
    if (!spec?.profiles.includes(profile)) throw new LabError(`no service ${service} in profile ${profile}`);
    const limited = !this.limitsUnavailable();
    if (!limited && !this.noLimits) throw new LabError('cgroups are not writable here: pass --no-limits');
    const cg = this.cgroupPath(profile, service);
    let wrapped = argv;
    if (limited) {
      this.cgroups!.ensure(this.cgroupPath(profile), this.profileLimits([spec]));
      const limits: { cpuset?: string; memoryBytes?: number } = {};
      if (spec.cpuset) limits.cpuset = spec.cpuset;
      if (spec.memLimitBytes !== null) limits.memoryBytes = spec.memLimitBytes;
      this.cgroups!.ensure(cg, limits);
      wrapped = ['/bin/sh', '-c', JOIN_AND_EXEC, 'lab-join', ...this.cgroups!.procsFiles(cg), '--', ...argv];
    }
    const child = spawn(wrapped[0]!, wrapped.slice(1), {
      env: { ...this.serviceEnv(spec), ...(opts.env ?? {}) },
      cwd: opts.cwd ?? this.paths.root,
      stdio: opts.stdio ?? 'pipe',
    });
    return { child, cgroup: limited ? cg : null };
  }

  /** Removes a one-shot's cgroup (and its profile's, when empty) once its process has exited. */
  async releaseOneshot(profile: string, service: string): Promise<void> {
    if (!this.cgroups) return;
    const cg = this.cgroupPath(profile, service);
    if (this.cgroups.exists(cg) && this.cgroups.pids(cg).filter(isAlive).length === 0)
      await this.cgroups.remove(cg);
    const parent = this.cgroupPath(profile);
    if (this.cgroups.exists(parent) && this.cgroups.children(parent).length === 0)
      await this.cgroups.remove(parent);
  }

  /** Every live process the lab started for the profile: each service's cgroup, and its recorded PID while ours. */
  processes(profile: string): number[] {
    const pids = new Set<number>();
    for (const svc of Object.values(readState(this.paths, profile)?.services ?? {})) {
      if (svc.cgroup && this.cgroups?.exists(svc.cgroup))
        for (const p of this.cgroups.pids(svc.cgroup)) pids.add(p);
      if (isRunning(svc)) pids.add(svc.pid);
    }
    return [...pids].filter(isAlive);
  }

  /** Resource usage of a running profile, per service and in total, read from the cgroups. */
  usage(profile: string): { total: Usage | null; services: Record<string, Usage> } {
    const services: Record<string, Usage> = {};
    if (!this.cgroups?.exists(this.cgroupPath(profile))) return { total: null, services };
    for (const name of this.cgroups.children(this.cgroupPath(profile))) {
      services[name] = this.cgroups.readUsage(this.cgroupPath(profile, name));
    }
    return { total: this.cgroups.readUsage(this.cgroupPath(profile)), services };
  }

  logFile(service: string): string {
    if (!this.compose.services.has(service)) {
      throw new LabError(
        `unknown service "${service}" (services: ${[...this.compose.services.keys()].join(', ')})`,
      );
    }
    return this.paths.log(service);
  }
}

export function describeBudget(b: ReadBack | null): string {
  if (!b) return 'UNLIMITED';
  const cpu = b.cpus === null ? 'cpu unlimited' : `${b.cpus} cpu`;
  const mem = b.memoryBytes === null ? 'memory unlimited' : formatBytes(b.memoryBytes);
  return `${cpu}, cpuset ${b.cpuset ?? '-'}, ${mem}`;
}

export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
