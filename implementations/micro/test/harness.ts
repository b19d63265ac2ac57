// Test harness: a MongoDB-protocol server started the way the lab starts it (runner/bin/mongo-server, in a temp
// dir, on a free loopback port) — mongo-java-server (the lab's default without a mongod) or FerretDB on the
// PostgreSQL backend the benchmark uses — and the six processes of the target on free ports, started from scratch
// and stopped at the end. MICRO_TEST_FERRETDB_BACKEND=sqlite tests on FerretDB's SQLite backend instead;
// MICRO_TEST_MONGO_URL runs against a real MongoDB.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTool, freePort, LabPaths } from '@lab/runner';

export { freePort };

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const TOKEN = 'micro-test-token';
export const PROCESSES = ['catalog', 'pricing', 'inventory', 'reviews', 'orders', 'bff'] as const;
export type ProcName = (typeof PROCESSES)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
  stop(): Promise<void>;
}

export function spawnProc(
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Proc {
  const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    name,
    child,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

export type TestServer = 'mongo-java-server' | 'ferretdb';

/** The server the lab's bootstrap installed (`./lab doctor --install`), or FERRETDB_BIN / MONGO_JAVA_SERVER_BIN. */
export function serverBinary(server: TestServer): { path: string; version: string } {
  const found = findTool(server, {
    paths: new LabPaths(REPO_ROOT),
    env: process.env,
    log: () => undefined,
  });
  if (!found) throw new Error(`${server} not found: run ./lab doctor --install`);
  return { path: found.path, version: found.version ?? 'unknown version' };
}

export interface Database {
  url: string;
  description: string;
  stop(): Promise<void>;
}

/**
 * The server in a fresh temp dir, supervised by runner/bin/mongo-server exactly as ./lab runs it: mongo-java-server
 * in memory, or FerretDB v1 on the backend the lab benchmarks (LAB_FERRETDB_BACKEND's default, PostgreSQL); or
 * MICRO_TEST_MONGO_URL when set.
 */
export async function startDatabase(server: TestServer = 'mongo-java-server'): Promise<Database> {
  const given = process.env['MICRO_TEST_MONGO_URL'];
  if (given) return { url: given, description: `MongoDB at ${given}`, stop: async () => {} };
  const backend = process.env['MICRO_TEST_FERRETDB_BACKEND'] ?? 'postgresql';
  if (backend !== 'postgresql' && backend !== 'sqlite') {
    throw new Error(`MICRO_TEST_FERRETDB_BACKEND must be postgresql or sqlite, not ${backend}`);
  }
  const dir = mkdtempSync(join(tmpdir(), `micro-${server}-`));
  // mongo-server runs PostgreSQL as the postgres user: it must be able to reach its data dir inside this one.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const bin = serverBinary(server);
  const postgres = findTool('postgres', {
    paths: new LabPaths(REPO_ROOT),
    env: process.env,
    log: () => undefined,
  });
  if (server === 'ferretdb' && backend === 'postgresql' && !postgres) {
    throw new Error(
      'PostgreSQL not found: run ./lab doctor --install (or MICRO_TEST_FERRETDB_BACKEND=sqlite)',
    );
  }
  const proc = spawnProc(
    server,
    'sh',
    [
      join(REPO_ROOT, 'runner/bin/mongo-server'),
      bin.path,
      join(dir, 'data'),
      String(port),
      join(dir, 'run'),
      postgres?.path ?? 'postgres',
    ],
    { ...process.env, LAB_FERRETDB_BACKEND: backend, FERRETDB_LOG_LEVEL: 'error' },
    dir,
  );
  const url = `mongodb://127.0.0.1:${port}`;
  await waitForPort(port, 60_000, proc);
  return {
    url,
    description:
      server === 'ferretdb'
        ? `FerretDB ${bin.version} (${backend}) on ${url}`
        : `mongo-java-server ${bin.version} on ${url}`,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, ms: number, proc: Proc): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited: ${proc.output.join('')}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${proc.name} did not listen on ${port} within ${ms} ms`);
}

export async function waitHealthy(url: string, ms: number, proc?: Proc): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    if (proc && proc.child.exitCode !== null) {
      throw new Error(
        `${proc.name} exited with ${proc.child.exitCode}: ${proc.output.join('').slice(-2000)}`,
      );
    }
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
      last = `${r.status} ${await r.text()}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(150);
  }
  throw new Error(
    `${url} not healthy within ${ms} ms (last: ${last}) ${proc ? proc.output.join('').slice(-2000) : ''}`,
  );
}

export interface Stack {
  db: Database;
  ports: Record<ProcName, number>;
  procs: Record<ProcName, Proc>;
  bffUrl: string;
  env: NodeJS.ProcessEnv;
  url(name: ProcName): string;
  /** Starts one more process of the target with extra env (e.g. a second BFF against a stub). */
  spawn(name: ProcName, port: number, extra?: NodeJS.ProcessEnv): Proc;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** The database server (default mongo-java-server, the lab's default without a mongod). */
  server?: TestServer;
  seed?: number;
  scale?: number;
  env?: NodeJS.ProcessEnv;
  healthTimeoutMs?: number;
}

/** The whole target from scratch: database, five services (seeding in parallel), then the BFF. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const db = await startDatabase(opts.server);
  const ports = {} as Record<ProcName, number>;
  for (const p of PROCESSES) ports[p] = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LAB_SEED: String(opts.seed ?? 42),
    LAB_SCALE: String(opts.scale ?? 1),
    LAB_ADMIN_TOKEN: TOKEN,
    LAB_CPUS: '1',
    LOG_LEVEL: 'warn',
    MONGO_URL: db.url,
    CATALOG_URL: `http://127.0.0.1:${ports.catalog}`,
    PRICING_URL: `http://127.0.0.1:${ports.pricing}`,
    INVENTORY_URL: `http://127.0.0.1:${ports.inventory}`,
    REVIEWS_URL: `http://127.0.0.1:${ports.reviews}`,
    ORDERS_URL: `http://127.0.0.1:${ports.orders}`,
    ...opts.env,
  };
  const procs = {} as Record<ProcName, Proc>;
  const spawnOne = (name: ProcName, port: number, extra: NodeJS.ProcessEnv = {}) =>
    spawnProc(
      name,
      process.execPath,
      [join(PACKAGE_ROOT, `dist/src/${name}.js`)],
      { ...env, PORT: String(port), ...extra },
      REPO_ROOT,
    );
  const stack: Stack = {
    db,
    ports,
    procs,
    bffUrl: `http://127.0.0.1:${ports.bff}`,
    env,
    url: (name) => `http://127.0.0.1:${ports[name]}`,
    spawn: spawnOne,
    async stop() {
      await Promise.all(Object.values(procs).map((p) => p.stop()));
      await db.stop();
    },
  };
  try {
    const timeout = opts.healthTimeoutMs ?? 120_000;
    for (const name of PROCESSES) {
      if (name === 'bff') continue;
      procs[name] = spawnOne(name, ports[name]);
    }
    await Promise.all(
      PROCESSES.filter((n) => n !== 'bff').map((n) =>
        waitHealthy(`${stack.url(n)}/health`, timeout, procs[n]),
      ),
    );
    procs.bff = spawnOne('bff', ports.bff);
    await waitHealthy(`${stack.bffUrl}/health`, timeout, procs.bff);
    return stack;
  } catch (e) {
    await stack.stop();
    throw e;
  }
}
