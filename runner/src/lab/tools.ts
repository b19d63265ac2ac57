import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { LabPaths } from './paths.js';
import { labEnv } from '../lib/env-file.js';
import { runStreamed } from '../lib/stream.js';

export class ToolError extends Error {}

export interface ToolInfo {
  name: string;
  path: string;
  version: string | null;
  /** How it was found: env var, PATH, the lab's tools dir, a system package. */
  source: string;
}

interface ToolSpec {
  name: string;
  /** The pinned version the lab installs. */
  pinned: string;
  describe: string;
  find(ctx: ToolContext): ToolInfo | null;
  install?(ctx: ToolContext): Promise<void>;
  /** One line telling a human what to install when the lab cannot. */
  manual: string;
  /** Used when present, never needed: `./lab setup` does not install it. */
  optional?: true;
}

export interface ToolContext {
  paths: LabPaths;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function which(cmd: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

function versionOf(path: string, args: string[], pattern: RegExp): string | null {
  const r = spawnSync(path, args, { encoding: 'utf8', timeout: 15_000 });
  const m = pattern.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  return m ? m[1]! : null;
}

/** Runs a command, streaming its output to the log with a prefix; rejects with the last lines on failure. */
async function run(
  ctx: ToolContext,
  label: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const r = await runStreamed(cmd, args, {
    env: { ...ctx.env, ...env },
    log: (line) => ctx.log(`  [${label}] ${line}`),
    keep: 20,
  });
  if (r.error) throw new ToolError(`${label}: cannot run ${cmd}: ${r.error.message}`);
  if (r.code !== 0)
    throw new ToolError(`${label}: ${cmd} ${args.join(' ')} exited ${r.code}:\n${r.tail.join('\n')}`);
}

function requireGo(ctx: ToolContext, what: string): string {
  const go = which('go', ctx.env);
  if (!go)
    throw new ToolError(
      `${what} is built with Go, which is not installed: ./lab setup says which Go and how to install it ` +
        "(Debian 12's golang-go is 1.19, too old)",
    );
  return go;
}

function labBin(ctx: ToolContext, name: string, version: string, file = name): string {
  return join(ctx.paths.tools, name, version, file);
}

/**
 * A tool the lab can build: the binary named by its env var, else the lab's own build of the pinned version,
 * else one on PATH; the first that is executable, with the version it reports.
 */
function findBuildable(
  ctx: ToolContext,
  name: string,
  envVar: string,
  /** The folder of the lab's own build under .lab/tools/<name>/ (the pinned version, or its build folder). */
  folder: string,
  versionArgs: string[],
  versionPattern: RegExp,
): ToolInfo | null {
  for (const [path, source] of [
    [ctx.env[envVar], envVar],
    [labBin(ctx, name, folder), 'lab tools'],
    [which(name, ctx.env), 'PATH'],
  ] as const) {
    if (path && isExecutable(path)) {
      return { name, path, version: versionOf(path, versionArgs, versionPattern), source };
    }
  }
  return null;
}

const K6_VERSION = 'v1.8.1';
/** The OpenAPI fuzzer of the tests (runner/src/verify/fuzz.ts), from PyPI into a lab-owned venv. */
export const SCHEMATHESIS_VERSION = '4.32.5';
// v1.24.2, the last v1 release: v1.24.1 has no checksum-database record, so the proxy serves it unverified.
const FERRETDB_VERSION = 'v1.24.2';
const COMPOSE_VERSION = 'v5.6.0';
// Built by runner/bin/build-mongo-java-server from runner/mongo-java-server/pom.xml (Maven Central).
export const MONGO_JAVA_SERVER_VERSION = '1.46.0';
// cAdvisor's library module (github.com/google/cadvisor/lib), built into monitoring/cadvisor's small main.
const CADVISOR_VERSION = 'v0.60.6';
// Toxiproxy's server module, built into runner/toxiproxy's small main (+ a microsecond latency toxic) for 09.
const TOXIPROXY_VERSION = 'v2.5.0';

/** Debian's PostgreSQL binaries: the newest /usr/lib/postgresql/<major>/bin. */
function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const majors = readdirSync(base)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(base, d, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(base, majors[0], 'bin') : null;
}

// A fresh machine's package lists are empty or stale: the first install of a process refreshes them once.
let aptUpdated = false;

async function aptInstall(ctx: ToolContext, pkg: string): Promise<void> {
  if (!which('apt-get', ctx.env))
    throw new ToolError(`apt-get not found: install ${pkg} with your package manager`);
  if (process.getuid?.() !== 0)
    throw new ToolError(`installing ${pkg} needs root: sudo apt-get install -y ${pkg}`);
  if (!aptUpdated) {
    await run(ctx, 'apt-get update', 'apt-get', ['update', '-q'], { DEBIAN_FRONTEND: 'noninteractive' });
    aptUpdated = true;
  }
  await run(ctx, pkg, 'apt-get', ['install', '-y', '--no-install-recommends', pkg], {
    DEBIAN_FRONTEND: 'noninteractive',
  });
}

/** A program from a Debian package, found by an env var or on PATH. */
function systemTool(name: string, pkg: string, envVar: string | null, describe: string): ToolSpec {
  return {
    name,
    pinned: `Debian ${pkg}`,
    describe,
    manual: `install ${pkg}: apt-get install ${pkg}`,
    find(ctx) {
      const path = (envVar && ctx.env[envVar]) || which(name, ctx.env);
      return path && isExecutable(path)
        ? { name, path, version: versionOf(path, ['--version'], /(\d+\.\d+[\d.]*)/), source: 'PATH' }
        : null;
    },
    install: (ctx) => aptInstall(ctx, pkg),
  };
}

function postgresTool(name: string): ToolSpec {
  return {
    name,
    pinned: 'Debian postgresql (15 on Debian 12)',
    describe: `PostgreSQL ${name}`,
    manual: 'install PostgreSQL: apt-get install postgresql',
    find() {
      const dir = postgresBinDir();
      if (!dir || !isExecutable(join(dir, name))) return null;
      const path = join(dir, name);
      return { name, path, version: versionOf(path, ['--version'], /(\d+\.\d+)/), source: 'system package' };
    },
    install: (ctx) => aptInstall(ctx, 'postgresql'),
  };
}

/**
 * A tool the lab builds from a script in runner/bin (Go under the hood), pinned to a version, installed under
 * .lab/tools/<name>/<version>, and found first where `envVar` points.
 */
function scriptBuilt(o: {
  name: string;
  version: string;
  envVar: string;
  /** How the logs name it ("FerretDB", "docker compose"). */
  label: string;
  describe: string;
  manual: string;
  script: string;
  versionArgs: string[];
  versionRe: RegExp;
  /** The log's note on the build: where from and how long. */
  building: string;
  /** The name run() reports a failed build under (default: name). */
  runLabel?: string;
  /** The folder under .lab/tools/<name>/ (default: the version): a new one when the lab's own sources change. */
  build?: string;
}): ToolSpec {
  const dir = o.build ?? o.version;
  return {
    name: o.name,
    pinned: o.version,
    describe: o.describe,
    manual: o.manual,
    find: (ctx) => findBuildable(ctx, o.name, o.envVar, dir, o.versionArgs, o.versionRe),
    async install(ctx) {
      requireGo(ctx, o.label);
      ctx.log(`building ${o.label} ${o.version} ${o.building}...`);
      const script = join(ctx.paths.root, 'runner', 'bin', o.script);
      await run(ctx, o.runLabel ?? o.name, 'bash', [script, o.version, join(ctx.paths.tools, o.name, dir)]);
    },
  };
}

const SPECS: ToolSpec[] = [
  {
    name: 'k6',
    pinned: K6_VERSION,
    describe: 'load generator',
    manual: `put k6 on PATH or set K6_BIN, or install Go so the lab can build k6 ${K6_VERSION}`,
    find: (ctx) => findBuildable(ctx, 'k6', 'K6_BIN', K6_VERSION, ['version'], /k6 (v[\d.]+)/),
    async install(ctx) {
      const go = requireGo(ctx, 'k6');
      const dir = join(ctx.paths.tools, 'k6', K6_VERSION);
      mkdirSync(dir, { recursive: true });
      ctx.log(`building k6 ${K6_VERSION} with go install (a few minutes, once)...`);
      await run(ctx, 'k6', go, ['install', `go.k6.io/k6@${K6_VERSION}`], { GOBIN: dir, CGO_ENABLED: '0' });
    },
  },
  systemTool('chromium', 'chromium', 'LAB_CHROMIUM', "headless browser for the storefront's browser test"),
  systemTool('setpriv', 'util-linux', null, 'runs the database services as their own users natively'),
  scriptBuilt({
    name: 'ferretdb',
    version: FERRETDB_VERSION,
    envVar: 'FERRETDB_BIN',
    label: 'FerretDB',
    describe: 'MongoDB wire-protocol server (used when there is no mongod)',
    manual: `install Go so the lab can build FerretDB ${FERRETDB_VERSION}, or put mongod on PATH`,
    script: 'build-ferretdb',
    versionArgs: ['--version'],
    versionRe: /version: (v[\d.]+)/,
    building: '(a few minutes, once)',
  }),
  scriptBuilt({
    name: 'docker-compose',
    version: COMPOSE_VERSION,
    envVar: 'DOCKER_COMPOSE_BIN',
    label: 'docker compose',
    describe: 'the compose CLI, used only to validate docker-compose.yml (`config`) without an engine',
    manual: `install the Docker Compose plugin, or Go so the lab can build compose ${COMPOSE_VERSION}`,
    script: 'build-docker-compose',
    versionArgs: ['version'],
    versionRe: /version (v[\d.]+)/,
    building: '(a few minutes, once)',
    runLabel: 'compose',
  }),
  scriptBuilt({
    name: 'toxiproxy',
    version: TOXIPROXY_VERSION,
    envVar: 'TOXIPROXY_BIN',
    label: 'Toxiproxy',
    describe:
      'latency injector on internal hops for scenario 09 (runner/toxiproxy: Toxiproxy + a µs latency toxic)',
    manual: `install Go so the lab can build Toxiproxy ${TOXIPROXY_VERSION} (runner/bin/build-toxiproxy), or set TOXIPROXY_BIN`,
    script: 'build-toxiproxy',
    // Bumped with runner/toxiproxy/main.go, so that a machine holding an older build builds this one.
    build: `${TOXIPROXY_VERSION}-lab3`,
    versionArgs: ['-version'],
    versionRe: /version (v[\d.]+)/,
    building: 'from runner/toxiproxy (a minute or two, once)',
  }),
  {
    name: 'mongod',
    pinned: 'any',
    describe: 'a real MongoDB server, preferred over FerretDB when present',
    manual: 'optional: install MongoDB (mongod) to run micro on real MongoDB',
    optional: true,
    find(ctx) {
      const path = which('mongod', ctx.env);
      return path
        ? {
            name: 'mongod',
            path,
            version: versionOf(path, ['--version'], /db version (v[\d.]+)/),
            source: 'PATH',
          }
        : null;
    },
  },
  {
    name: 'mongo-java-server',
    pinned: MONGO_JAVA_SERVER_VERSION,
    describe:
      "in-memory MongoDB wire-protocol server on Java (micro's default database when there is no mongod)",
    manual: `install Maven and a JDK (apt-get install maven default-jdk-headless) so the lab can build mongo-java-server ${MONGO_JAVA_SERVER_VERSION}, or set MONGO_JAVA_SERVER_BIN`,
    find: (ctx) =>
      findBuildable(
        ctx,
        'mongo-java-server',
        'MONGO_JAVA_SERVER_BIN',
        MONGO_JAVA_SERVER_VERSION,
        ['--version'],
        /mongo-java-server (\d+\.\d+\.\d+)/,
      ),
    async install(ctx) {
      for (const [cmd, pkg] of [
        ['mvn', 'maven'],
        ['javac', 'default-jdk-headless'],
      ] as const) {
        if (!which(cmd, ctx.env)) await aptInstall(ctx, pkg);
      }
      ctx.log(`building mongo-java-server ${MONGO_JAVA_SERVER_VERSION} with Maven (a minute, once)...`);
      const script = join(ctx.paths.root, 'runner', 'bin', 'build-mongo-java-server');
      await run(ctx, 'mongo-java-server', 'bash', [
        script,
        MONGO_JAVA_SERVER_VERSION,
        join(ctx.paths.tools, 'mongo-java-server', MONGO_JAVA_SERVER_VERSION),
      ]);
    },
  },
  postgresTool('postgres'),
  postgresTool('initdb'),
  postgresTool('pg_isready'),
  scriptBuilt({
    name: 'cadvisor',
    version: CADVISOR_VERSION,
    envVar: 'CADVISOR_BIN',
    label: 'cAdvisor',
    describe: "container metrics of the lab's cgroups for the monitoring profile (monitoring/cadvisor)",
    manual: `install Go so the lab can build cAdvisor ${CADVISOR_VERSION} (runner/bin/build-cadvisor), or set CADVISOR_BIN`,
    script: 'build-cadvisor',
    versionArgs: ['--version'],
    versionRe: /(v\d+\.\d+\.\d+)/,
    building: 'from monitoring/cadvisor (a minute or two, once)',
  }),
  {
    name: 'prometheus',
    pinned: 'Debian prometheus (2.42 on Debian 12)',
    describe: 'metrics store for the monitoring profile',
    manual: 'install Prometheus: apt-get install prometheus',
    find(ctx) {
      const path = ctx.env['PROMETHEUS_BIN'] ?? which('prometheus', ctx.env);
      return path && isExecutable(path)
        ? {
            name: 'prometheus',
            path,
            version: versionOf(path, ['--version'], /version (\d+\.\d+\.\d+)/),
            source: 'PATH',
          }
        : null;
    },
    install: (ctx) => aptInstall(ctx, 'prometheus'),
  },
];

/** The venv holding schemathesis: <tools>/schemathesis/<version>, its CLI in bin/st. */
function schemathesisVenv(ctx: ToolContext): string {
  return join(ctx.paths.tools, 'schemathesis', SCHEMATHESIS_VERSION);
}

SPECS.push({
  name: 'schemathesis',
  pinned: SCHEMATHESIS_VERSION,
  describe: 'OpenAPI fuzzer run by the tests against every target (PyPI, in a lab-owned venv)',
  manual: `install Python 3 with venv (apt-get install python3-venv), then ./lab doctor --install schemathesis`,
  find(ctx) {
    for (const [path, source] of [
      [ctx.env['SCHEMATHESIS_BIN'], 'SCHEMATHESIS_BIN'],
      [join(schemathesisVenv(ctx), 'bin', 'st'), 'lab tools'],
    ] as const) {
      if (path && isExecutable(path)) {
        const version = versionOf(path, ['--version'], /version (\d+\.\d+\.\d+)/);
        // The venv is ours; a SCHEMATHESIS_BIN of another version is the user's choice, reported as found.
        return { name: 'schemathesis', path, version, source };
      }
    }
    return null;
  },
  async install(ctx) {
    const python = which('python3', ctx.env);
    if (!python) throw new ToolError('python3 not found');
    const venv = schemathesisVenv(ctx);
    ctx.log(`installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${venv}...`);
    // A half-made venv from an interrupted install would be found as broken: start clean.
    rmSync(venv, { recursive: true, force: true });
    await run(ctx, 'schemathesis', python, ['-m', 'venv', venv]);
    await run(ctx, 'schemathesis', join(venv, 'bin', 'pip'), [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `schemathesis==${SCHEMATHESIS_VERSION}`,
    ]);
  },
});

export const MONGO_SERVERS = ['auto', 'mongod', 'mongo-java-server', 'ferretdb'] as const;
export type MongoServerChoice = (typeof MONGO_SERVERS)[number];
/** The largest LAB_SCALE whose dataset mongo-java-server keeps in the mongo service's memory share (measured). */
export const MONGO_JAVA_SERVER_MAX_SCALE = 10;

function setting(ctx: ToolContext, name: string): string | undefined {
  return ctx.env[name] || labEnv(ctx.paths.root)[name] || undefined;
}

/**
 * Which MongoDB-protocol server micro runs on natively: LAB_MONGO_SERVER (.env: auto), where auto is a mongod on
 * PATH, else mongo-java-server. Throws for an unknown setting and for mongo-java-server at a scale whose data
 * does not fit in memory.
 */
export function mongoServerKind(ctx: ToolContext): Exclude<MongoServerChoice, 'auto'> {
  const raw = setting(ctx, 'LAB_MONGO_SERVER') ?? 'auto';
  if (!(MONGO_SERVERS as readonly string[]).includes(raw))
    throw new ToolError(`LAB_MONGO_SERVER must be one of ${MONGO_SERVERS.join(', ')}, got "${raw}"`);
  const kind = raw === 'auto' ? (findTool('mongod', ctx) ? 'mongod' : 'mongo-java-server') : raw;
  const scale = Number(setting(ctx, 'LAB_SCALE') ?? '1');
  if (kind === 'mongo-java-server' && scale > MONGO_JAVA_SERVER_MAX_SCALE)
    throw new ToolError(
      `mongo-java-server keeps every document in its JVM heap, and at LAB_SCALE=${scale} the dataset does not fit ` +
        `the mongo service's memory share (it fits up to LAB_SCALE=${MONGO_JAVA_SERVER_MAX_SCALE}): use ` +
        'LAB_MONGO_SERVER=ferretdb (FerretDB on PostgreSQL), a real MongoDB (a mongod on PATH, ' +
        'LAB_MONGO_SERVER=mongod), or the Docker stack (mongo:8.0)',
    );
  return kind as Exclude<MongoServerChoice, 'auto'>;
}

const VIRTUAL: Record<string, (ctx: ToolContext) => Promise<ToolInfo>> = {
  /** The micro target's database server, as LAB_MONGO_SERVER chooses it (see mongoServerKind). */
  'mongo-server': async (ctx) => ensureTool(mongoServerKind(ctx), ctx),
};

export function toolNames(): string[] {
  return [...SPECS.map((s) => s.name), ...Object.keys(VIRTUAL)];
}

function spec(name: string): ToolSpec {
  const s = SPECS.find((x) => x.name === name);
  if (!s) throw new ToolError(`unknown tool "${name}" (known: ${toolNames().join(', ')})`);
  return s;
}

export function findTool(name: string, ctx: ToolContext): ToolInfo | null {
  return spec(name).find(ctx);
}

/** Finds a tool, installing its pinned version when it is missing and the lab knows how. */
export async function ensureTool(name: string, ctx: ToolContext): Promise<ToolInfo> {
  const virtual = VIRTUAL[name];
  if (virtual) return virtual(ctx);
  const s = spec(name);
  const found = s.find(ctx);
  if (found) return found;
  if (!s.install) throw new ToolError(`${name} not found: ${s.manual}`);
  try {
    await s.install(ctx);
  } catch (e) {
    throw new ToolError(`${name}: ${(e as Error).message}\n  (${s.manual})`);
  }
  const after = s.find(ctx);
  if (!after) throw new ToolError(`${name}: installed, but still not found: ${s.manual}`);
  return after;
}

export interface DoctorRow {
  name: string;
  describe: string;
  pinned: string;
  found: ToolInfo | null;
  error: string | null;
}

/** What `./lab doctor` prints: every tool, where it was found, or why not. With install, installs what is missing. */
export async function doctor(ctx: ToolContext, install: boolean, only?: string[]): Promise<DoctorRow[]> {
  const rows: DoctorRow[] = [];
  for (const s of SPECS) {
    if (only && !only.includes(s.name)) continue;
    let found = s.find(ctx);
    let error: string | null = null;
    if (!found && install && s.install) {
      try {
        found = await ensureTool(s.name, ctx);
      } catch (e) {
        error = (e as Error).message;
      }
    }
    if (!found && !error) error = s.manual;
    rows.push({ name: s.name, describe: s.describe, pinned: s.pinned, found, error });
  }
  return rows;
}

/** The tools `./lab doctor` knows, and which of them `./lab setup` installs (all but the optional ones). */
export function doctorTools(): { name: string; optional: boolean }[] {
  return SPECS.map((s) => ({ name: s.name, optional: s.optional ?? false }));
}
