import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';
import { parseBytes, parseCpus, parseCpuset } from './budget.js';
import { interpolateTree } from './interpolate.js';
import { parseRestart, type RestartPolicy, RestartPolicyError } from './restart-policy.js';

export class ComposeError extends Error {}

export type Health = { url: string } | { command: string[] };

export interface NativeSpec {
  /** argv with placeholders ({root}, {data}, {run}, {tool:x}, {compose-args}) still in it. */
  command: string[];
  env: Record<string, string>;
  health: Health | null;
  user: string | null;
  setup: string[] | null;
  creates: string | null;
  requires: string[];
  /** Not a long-running service (e.g. k6): `up` only checks its tools. */
  oneshot: boolean;
  /** Lock files removed before start when no lab process of the service is alive (stale after a crash). */
  locks: string[];
  /** Seconds to wait for health; default from the compose healthcheck. */
  healthTimeoutSeconds: number;
  /**
   * Why this service exists only with Docker (e.g. Grafana, which cannot run on the lab's machines); null for a
   * service ./lab runs. `./lab up` skips a Docker-only service and says so; a system-under-test service may not
   * be Docker-only (the budget must hold natively too).
   */
  dockerOnly: string | null;
}

export interface ServiceSpec {
  name: string;
  profiles: string[];
  command: string[] | null;
  environment: Record<string, string>;
  dependsOn: {
    name: string;
    condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  }[];
  cpuset: string | null;
  memLimitBytes: number | null;
  healthcheckTest: string[] | null;
  stopSignal: NodeJS.Signals;
  stopGraceSeconds: number;
  /** The host ports of `ports:` ("127.0.0.1:8080:8080" → 8080): natively the service listens on them itself. */
  hostPorts: number[];
  /** compose `restart:`; natively applied by lab/supervisor.ts while a supervisor runs. */
  restart: RestartPolicy;
  native: NativeSpec | null;
}

export interface LabTarget {
  name: string;
  profile: string;
  /** Base URL of the contract on the host (loopback). */
  url: string;
  /** Whether docker-compose.yml has a complete profile for it yet (services present, the lab's rules met). */
  available: boolean;
  /** What the storefront's architecture toggle shows (x-lab-targets' label and summary). */
  label?: string;
  summary?: string;
}

export interface LabCompose {
  file: string;
  /** The compose project: namespaces this checkout's cgroups (lab/<project>/…) and containers. */
  project: string;
  env: Record<string, string>;
  services: Map<string, ServiceSpec>;
  targets: LabTarget[];
}

export interface Budget {
  cpus: number;
  memoryBytes: number;
  sutCpuset: string;
  loadgenCpuset: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** .env merged under the process environment, as docker compose does (the environment wins). */
export function composeEnv(
  root: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const file = join(root, '.env');
  const fromFile = existsSync(file) ? (parseEnv(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const env: Record<string, string> = { ...fromFile };
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) env[k] = v;
  return env;
}

/**
 * The project name as docker compose derives it: COMPOSE_PROJECT_NAME (environment or .env), else the file's
 * top-level `name:`, else the checkout directory's name — lower-cased, only [a-z0-9_-], starting with a letter or
 * digit. Two checkouts of the lab are two projects, so neither sees nor stops the other's services.
 */
export function projectName(root: string, env: Record<string, string>, doc: Record<string, unknown>): string {
  const raw =
    env['COMPOSE_PROJECT_NAME'] || (typeof doc['name'] === 'string' ? doc['name'] : '') || basename(root);
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
  if (!name)
    throw new ComposeError(
      `no project name can be made from "${raw}": set COMPOSE_PROJECT_NAME (letters, digits, _ and -)`,
    );
  return name;
}

function hostPorts(v: unknown, where: string): number[] {
  if (v === undefined) return [];
  return strings(v, where).map((p) => {
    const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
    const host = Number(parts.length >= 2 ? parts[parts.length - 2] : parts[0]);
    if (!Number.isInteger(host) || host < 1 || host > 65535)
      throw new ComposeError(`${where}: "${p}" has no host port the lab understands`);
    return host;
  });
}

function strings(v: unknown, where: string): string[] {
  if (typeof v === 'string') return v.split(/\s+/).filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number'))
    return v.map(String);
  throw new ComposeError(`${where} must be a list of strings`);
}

function envMap(v: unknown, where: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const item of v) {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq === -1) throw new ComposeError(`${where}: "${s}" has no "="`);
      out[s.slice(0, eq)] = s.slice(eq + 1);
    }
    return out;
  }
  if (isObj(v)) {
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) out[k] = x === null ? '' : String(x);
    return out;
  }
  throw new ComposeError(`${where} must be a map or a list of KEY=VALUE`);
}

/** Compose durations: "2s", "1m30s", "500ms", "10" (seconds). */
export function parseDuration(raw: unknown, fallback: number): number {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw === 'number') return raw;
  const s = String(raw);
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  let total = 0;
  let matched = '';
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)) {
    const n = Number(m[1]);
    total +=
      m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : m[2] === 'ms' ? n / 1000 : n / 1e6;
    matched += m[0];
  }
  if (matched !== s) throw new ComposeError(`"${s}" is not a duration`);
  return total;
}

function dependsOn(v: unknown, where: string): ServiceSpec['dependsOn'] {
  if (v === undefined) return [];
  if (Array.isArray(v))
    return v.map((name) => ({ name: String(name), condition: 'service_started' as const }));
  if (isObj(v)) {
    return Object.entries(v).map(([name, opts]) => {
      const condition =
        isObj(opts) && typeof opts['condition'] === 'string' ? opts['condition'] : 'service_started';
      if (!['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition)) {
        throw new ComposeError(`${where}.${name}: unknown condition "${condition}"`);
      }
      return { name, condition: condition as ServiceSpec['dependsOn'][0]['condition'] };
    });
  }
  throw new ComposeError(`${where} must be a list or a map`);
}

function nativeSpec(name: string, svc: Obj, command: string[] | null): NativeSpec | null {
  const raw = svc['x-native'];
  if (raw === undefined) return null;
  const where = `services.${name}.x-native`;
  if (!isObj(raw)) throw new ComposeError(`${where} must be a map`);
  const known = [
    'command',
    'env',
    'health',
    'user',
    'setup',
    'creates',
    'requires',
    'oneshot',
    'locks',
    'health_timeout',
    'docker_only',
  ];
  for (const k of Object.keys(raw))
    if (!known.includes(k)) throw new ComposeError(`${where}: unknown key "${k}"`);
  const dockerOnly = raw['docker_only'];
  if (dockerOnly !== undefined && (typeof dockerOnly !== 'string' || dockerOnly.trim() === ''))
    throw new ComposeError(`${where}.docker_only must say why the service cannot run natively`);
  const cmd = raw['command'] === undefined ? command : strings(raw['command'], `${where}.command`);
  if ((!cmd || cmd.length === 0) && dockerOnly === undefined)
    throw new ComposeError(`${where}: no command (set x-native.command or command)`);
  let health: Health | null = null;
  const h = raw['health'];
  if (isObj(h) && typeof h['url'] === 'string') health = { url: h['url'] };
  else if (isObj(h) && h['command'] !== undefined)
    health = { command: strings(h['command'], `${where}.health.command`) };
  else if (h !== undefined) throw new ComposeError(`${where}.health must be {url} or {command}`);
  const healthcheck = isObj(svc['healthcheck']) ? svc['healthcheck'] : {};
  const fromCompose =
    parseDuration(healthcheck['start_period'], 0) +
    parseDuration(healthcheck['interval'], 30) * Number(healthcheck['retries'] ?? 3);
  return {
    command: cmd ?? [],
    env: envMap(raw['env'], `${where}.env`),
    health,
    user: typeof raw['user'] === 'string' ? raw['user'] : null,
    setup: raw['setup'] === undefined ? null : strings(raw['setup'], `${where}.setup`),
    creates: typeof raw['creates'] === 'string' ? raw['creates'] : null,
    requires: raw['requires'] === undefined ? [] : strings(raw['requires'], `${where}.requires`),
    oneshot: raw['oneshot'] === true,
    locks: raw['locks'] === undefined ? [] : strings(raw['locks'], `${where}.locks`),
    healthTimeoutSeconds: parseDuration(raw['health_timeout'], Math.max(30, fromCompose)),
    dockerOnly: typeof dockerOnly === 'string' ? dockerOnly.trim() : null,
  };
}

function restartPolicy(raw: unknown, where: string): RestartPolicy {
  try {
    return parseRestart(raw, where);
  } catch (e) {
    if (e instanceof RestartPolicyError) throw new ComposeError(e.message);
    throw e;
  }
}

const SIGNALS = new Set(['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGKILL', 'SIGHUP', 'SIGUSR1', 'SIGUSR2']);

/** Reads and interpolates docker-compose.yml the way `docker compose config` would, and models its services. */
export function loadCompose(
  root: string,
  processEnv: NodeJS.ProcessEnv = process.env,
  fileName = 'docker-compose.yml',
): LabCompose {
  const file = join(root, fileName);
  if (!existsSync(file)) throw new ComposeError(`${file} not found`);
  const env = composeEnv(root, processEnv);
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'), { merge: true });
  } catch (e) {
    throw new ComposeError(`${fileName}: ${(e as Error).message}`);
  }
  if (!isObj(doc) || !isObj(doc['services'])) throw new ComposeError(`${fileName}: no services`);
  const services = new Map<string, ServiceSpec>();
  for (const [name, rawSvc] of Object.entries(doc['services'])) {
    if (!isObj(rawSvc)) throw new ComposeError(`services.${name} must be a map`);
    const svc = interpolateTree(rawSvc, env, `services.${name}`) as Obj;
    const command = svc['command'] === undefined ? null : strings(svc['command'], `services.${name}.command`);
    const hc = isObj(svc['healthcheck']) ? svc['healthcheck'] : null;
    const stop = String(svc['stop_signal'] ?? 'SIGTERM');
    if (!SIGNALS.has(stop)) throw new ComposeError(`services.${name}.stop_signal: unsupported "${stop}"`);
    const deployLimits = (svc['deploy'] as { resources?: { limits?: { memory?: unknown } } } | undefined)
      ?.resources?.limits;
    const mem = svc['mem_limit'] ?? deployLimits?.memory;
    let memLimitBytes: number | null = null;
    if (mem !== undefined) {
      try {
        memLimitBytes = parseBytes(mem as string);
      } catch (e) {
        throw new ComposeError(`services.${name}.mem_limit: ${(e as Error).message}`);
      }
    }
    services.set(name, {
      name,
      profiles: svc['profiles'] === undefined ? [] : strings(svc['profiles'], `services.${name}.profiles`),
      command,
      environment: envMap(svc['environment'], `services.${name}.environment`),
      dependsOn: dependsOn(svc['depends_on'], `services.${name}.depends_on`),
      cpuset: svc['cpuset'] === undefined ? null : String(svc['cpuset']),
      memLimitBytes,
      healthcheckTest:
        hc && hc['test'] !== undefined ? strings(hc['test'], `services.${name}.healthcheck.test`) : null,
      stopSignal: stop as NodeJS.Signals,
      stopGraceSeconds: parseDuration(svc['stop_grace_period'], 10),
      hostPorts: hostPorts(svc['ports'], `services.${name}.ports`),
      restart: restartPolicy(svc['restart'], `services.${name}.restart`),
      native: nativeSpec(name, svc, command),
    });
  }
  const targets: LabTarget[] = [];
  const rawTargets = doc['x-lab-targets'];
  if (rawTargets !== undefined) {
    if (!isObj(rawTargets)) throw new ComposeError('x-lab-targets must be a map');
    for (const [name, t] of Object.entries(rawTargets)) {
      if (!isObj(t) || typeof t['profile'] !== 'string' || typeof t['url'] !== 'string') {
        throw new ComposeError(`x-lab-targets.${name} needs a profile and a url`);
      }
      const profile = t['profile'];
      const text = (k: string) => (typeof t[k] === 'string' ? { [k]: t[k] } : {});
      targets.push({
        name,
        profile,
        url: t['url'].replace(/\/+$/, ''),
        available: false,
        ...text('label'),
        ...text('summary'),
      });
    }
  }
  const c: LabCompose = { file, project: projectName(root, env, doc), env, services, targets };
  for (const t of targets) {
    try {
      t.available = checkProfileRules(c, t.profile, budgetFromEnv(env)).length === 0;
    } catch {
      t.available = false;
    }
  }
  return c;
}

export function budgetFromEnv(env: Record<string, string>): Budget {
  const get = (k: string) => {
    const v = env[k];
    if (v === undefined || v === '') throw new ComposeError(`${k} is not set (see .env)`);
    return v;
  };
  const budget: Budget = {
    cpus: parseCpus(get('LAB_CPUS')),
    memoryBytes: parseBytes(get('LAB_MEMORY')),
    sutCpuset: get('LAB_SUT_CPUSET'),
    loadgenCpuset: get('LAB_LOADGEN_CPUSET'),
  };
  const sut = parseCpuset(budget.sutCpuset);
  const load = parseCpuset(budget.loadgenCpuset);
  if (sut.some((c) => load.includes(c))) {
    throw new ComposeError(
      `LAB_SUT_CPUSET (${budget.sutCpuset}) and LAB_LOADGEN_CPUSET (${budget.loadgenCpuset}) overlap`,
    );
  }
  if (budget.cpus > sut.length) {
    throw new ComposeError(
      `LAB_CPUS=${budget.cpus} exceeds the ${sut.length} core(s) of LAB_SUT_CPUSET=${budget.sutCpuset}`,
    );
  }
  return budget;
}

export function profiles(c: LabCompose): string[] {
  const all = new Set<string>();
  for (const s of c.services.values()) for (const p of s.profiles) all.add(p);
  return [...all].sort();
}

/** The services of a profile in start order (dependencies first); throws on unknown profiles and cycles. */
export function resolveProfile(c: LabCompose, profile: string): ServiceSpec[] {
  const members = [...c.services.values()].filter((s) => s.profiles.includes(profile));
  if (members.length === 0) {
    throw new ComposeError(`unknown profile "${profile}" (profiles: ${profiles(c).join(', ')})`);
  }
  const names = new Set(members.map((s) => s.name));
  for (const s of members) {
    for (const d of s.dependsOn) {
      if (!c.services.has(d.name)) throw new ComposeError(`${s.name} depends on unknown service ${d.name}`);
      if (!names.has(d.name)) {
        throw new ComposeError(`${s.name} depends on ${d.name}, which is not in profile ${profile}`);
      }
    }
  }
  const order: ServiceSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: ServiceSpec, path: string[]) => {
    const st = state.get(s.name);
    if (st === 'done') return;
    if (st === 'visiting') throw new ComposeError(`dependency cycle: ${[...path, s.name].join(' -> ')}`);
    state.set(s.name, 'visiting');
    for (const d of s.dependsOn) visit(c.services.get(d.name)!, [...path, s.name]);
    state.set(s.name, 'done');
    order.push(s);
  };
  for (const s of [...members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) visit(s, []);
  return order;
}

/** Services that are part of the system under test: pinned to LAB_SUT_CPUSET. */
export function isSut(s: ServiceSpec, budget: Budget): boolean {
  return s.cpuset === budget.sutCpuset;
}

/** The lab's own rules for a profile: every SUT service is pinned, limited, native-capable and health-checked. */
export function checkProfileRules(c: LabCompose, profile: string, budget: Budget): string[] {
  const problems: string[] = [];
  const services = resolveProfile(c, profile);
  const sut = services.filter((s) => isSut(s, budget));
  for (const s of services) {
    if (!s.native) problems.push(`${s.name}: no x-native field`);
    if (s.native?.dockerOnly && isSut(s, budget))
      problems.push(`${s.name}: a system-under-test service cannot be Docker-only (x-native.docker_only)`);
    if (s.native?.oneshot || s.native?.dockerOnly) continue;
    if (isSut(s, budget) || sut.length > 0) {
      if (s.cpuset === null) problems.push(`${s.name}: no cpuset`);
      if (s.memLimitBytes === null) problems.push(`${s.name}: no mem_limit`);
      if (!s.healthcheckTest) problems.push(`${s.name}: no healthcheck`);
      if (s.native && !s.native.health && !s.healthcheckTest)
        problems.push(`${s.name}: no health check natively`);
    }
  }
  if (sut.length > 0) {
    const notSut = services.filter((s) => !isSut(s, budget) && !s.native?.oneshot);
    for (const s of notSut) problems.push(`${s.name}: target profile service not pinned to LAB_SUT_CPUSET`);
    const total = sut.reduce((a, s) => a + (s.memLimitBytes ?? 0), 0);
    if (total !== budget.memoryBytes) {
      problems.push(
        `memory limits of profile ${profile} sum to ${total} bytes, LAB_MEMORY is ${budget.memoryBytes} bytes`,
      );
    }
  }
  return problems;
}
