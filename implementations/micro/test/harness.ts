// Test harness: a MongoDB-protocol server started the way the lab starts it (runner/bin/mongo-server, in a temp
// dir, on a free loopback port) — mongo-java-server (the lab's default without a mongod) or FerretDB on the
// PostgreSQL backend the benchmark uses — and the six processes of the target on free ports, started from scratch
// and stopped at the end. MICRO_TEST_FERRETDB_BACKEND=sqlite tests on FerretDB's SQLite backend instead;
// MICRO_TEST_MONGO_URL runs against a real MongoDB.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateDataset } from '@lab/contract';
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
  /**
   * Whether this process said it listens on this origin (`http://127.0.0.1:PORT`). A free port picked ahead can be
   * taken by another test file's server before ours binds it: that server would answer our health checks.
   */
  listensOn(origin: string): boolean;
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
  const origins = new Set<string>();
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // The banner is one stdout line ("micro-bff listening on http://127.0.0.1:PORT (…)"), whole lines only.
  if (child.stdout)
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = / listening on (http:\/\/\S+)/.exec(line);
      if (m) origins.add(m[1]!);
    });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    name,
    child,
    output,
    listensOn: (origin) => origins.has(origin),
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
      const ours = !proc || proc.listensOn(new URL(url).origin);
      if (r.status === 200 && ours) return;
      last = `${r.status} ${await r.text()}${ours ? '' : ` (not from ${proc!.name}: it has not said it listens there)`}`;
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
  // The BFF's port is picked when it starts (after the seeding, minutes on FerretDB): picked here, it could be
  // taken by another test file's server in the meantime.
  for (const p of PROCESSES) if (p !== 'bff') ports[p] = await freePort();
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
      [join(PACKAGE_ROOT, `dist/src/bin/${name}.js`)],
      { ...env, PORT: String(port), ...extra },
      REPO_ROOT,
    );
  const stack: Stack = {
    db,
    ports,
    procs,
    bffUrl: '',
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
    ports.bff = await freePort();
    stack.bffUrl = stack.url('bff');
    procs.bff = spawnOne('bff', ports.bff);
    await waitHealthy(`${stack.bffUrl}/health`, timeout, procs.bff);
    return stack;
  } catch (e) {
    await stack.stop();
    throw e;
  }
}

// Contract calls the tests of micro and of its composed build (@lab/microlith) share.
const JSON_HEADERS = { 'content-type': 'application/json' };

export async function post(base: string, path: string, body?: unknown) {
  const r = await fetch(base + path, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: JSON_HEADERS, body: JSON.stringify(body) }),
  });
  return { status: r.status, text: await r.text() };
}

export async function cartWith(base: string, lines: [number, number][]): Promise<string> {
  const c = await post(base, '/api/carts');
  assert.equal(c.status, 201, c.text);
  const id = (JSON.parse(c.text) as { id: string }).id;
  for (const [productId, quantity] of lines) {
    const r = await post(base, `/api/carts/${id}/items`, { productId, quantity });
    assert.equal(r.status, 200, r.text);
  }
  return id;
}

export async function available(base: string, id: number): Promise<number> {
  const r = await fetch(`${base}/api/products/${id}`);
  return ((await r.json()) as { inventory: { available: number } }).inventory.available;
}

/**
 * `carts` concurrent checkouts of two-line carts (a plentiful product and one brought down to `left` units):
 * exactly `left` succeed, the rest are 409 insufficient_stock naming the scarce product, and every unit of the
 * plentiful product reserved by a failed checkout is given back (the saga's compensation).
 */
export async function raceMultiLineCarts(base: string, carts: number, left: number): Promise<{ ok: number }> {
  const stock = generateDataset({ seed: 42, scale: 1 }).inventory;
  const plenty = stock.find((i) => i.available >= carts * 2)!.productId;
  const scarce = stock.find((i) => i.available >= 10 && i.productId !== plenty)!.productId;
  const before = await available(base, scarce);
  if (before > left) {
    const drain = await cartWith(base, [[scarce, before - left]]);
    assert.equal((await post(base, `/api/carts/${drain}/checkout`)).status, 201);
  }
  const plentyBefore = await available(base, plenty);
  assert.ok(plentyBefore >= carts, `product ${plenty} has ${plentyBefore} units`);
  const ids: string[] = [];
  for (let i = 0; i < carts; i++)
    ids.push(
      await cartWith(base, [
        [plenty, 1],
        [scarce, 1],
      ]),
    );
  const results = await Promise.all(ids.map((id) => post(base, `/api/carts/${id}/checkout`)));
  const ok = results.filter((r) => r.status === 201).length;
  const short = results.filter((r) => r.status === 409 && r.text.includes(`"productId":${scarce}`)).length;
  assert.equal(ok, left, JSON.stringify(results.map((r) => r.status)));
  assert.equal(ok + short, carts, JSON.stringify(results.filter((r) => r.status !== 201)));
  assert.equal(await available(base, scarce), 0);
  assert.equal(await available(base, plenty), plentyBefore - ok, 'compensation gave every unit back');
  return { ok };
}
