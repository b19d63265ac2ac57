#!/usr/bin/env node
// Quick benchmark of FerretDB's two v1 backends (SQLite, PostgreSQL) on the operations the micro target uses, so
// the lab's default (LAB_FERRETDB_BACKEND in .env) is chosen by measurement. Each backend runs on loopback in a
// temporary directory; everything started here is stopped here. Writes results/ferretdb-backends.json and
// renders docs/benchmarks/ferretdb-backends.md from it.
//   usage: npm run bench:ferretdb -- [--docs 10000] [--reads 2000] [--updates 1000]
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { LabPaths } from '../lab/paths.js';
import { ensureTool, type ToolContext, type ToolInfo } from '../lab/tools.js';
import { repoRoot } from '../lib/env-file.js';
import { describeMachine, machineInfo } from '../lib/machine.js';
import { freePort } from '../lib/net.js';

interface BackendResult {
  backend: 'sqlite' | 'postgresql';
  insertManyMs: number;
  createIndexMs: number;
  findP50Ms: number;
  findP99Ms: number;
  findPerSecond: number;
  conditionalUpdateP50Ms: number;
  transactions: string;
}

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '10000' },
    reads: { type: 'string', default: '2000' },
    updates: { type: 'string', default: '1000' },
  },
});
const N = Number(values.docs);
const READS = Number(values.reads);
const UPDATES = Number(values.updates);
if (![N, READS, UPDATES].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write('usage: --docs N --reads N --updates N (positive integers)\n');
  process.exit(2);
}

const root = repoRoot();
const ctx: ToolContext = {
  paths: new LabPaths(root),
  env: process.env,
  log: (l) => process.stderr.write(`${l}\n`),
};
const started: ChildProcess[] = [];
const temp = mkdtempSync(join(tmpdir(), 'lab-ferretdb-bench-'));

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function connect(url: string): Promise<MongoClient> {
  for (let i = 0; i < 100; i++) {
    const c = new MongoClient(url, { serverSelectionTimeoutMS: 500 });
    try {
      await c.connect();
      await c.db('admin').command({ ping: 1 });
      return c;
    } catch {
      await c.close().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`FerretDB did not answer at ${url}`);
}

async function workload(backend: BackendResult['backend'], url: string): Promise<BackendResult> {
  const client = await connect(url);
  try {
    const col = client
      .db('bench')
      .collection<{ _id: number; sku: string; available: number; name: string }>('items');
    const docs = Array.from({ length: N }, (_, i) => ({
      _id: i + 1,
      sku: `sku-${i + 1}`,
      available: 1000,
      name: `item ${i}`,
    }));
    let t = performance.now();
    await col.insertMany(docs, { ordered: false });
    const insertManyMs = performance.now() - t;
    t = performance.now();
    await col.createIndex({ sku: 1 });
    const createIndexMs = performance.now() - t;
    const reads: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < READS; i++) {
      const s = performance.now();
      await col.findOne({ sku: `sku-${((i * 7919) % N) + 1}` }, { projection: { name: 1, available: 1 } });
      reads.push(performance.now() - s);
    }
    const findPerSecond = READS / ((performance.now() - t0) / 1000);
    const updates: number[] = [];
    for (let i = 0; i < UPDATES; i++) {
      const s = performance.now();
      await col.findOneAndUpdate({ _id: (i % N) + 1, available: { $gte: 1 } }, { $inc: { available: -1 } });
      updates.push(performance.now() - s);
    }
    let transactions = 'supported';
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        await col.updateOne({ _id: 1 }, { $inc: { available: 1 } }, { session });
      });
    } catch (e) {
      transactions = `not supported (${(e as Error).message.split('\n')[0]})`;
    } finally {
      await session.endSession();
    }
    reads.sort((a, b) => a - b);
    updates.sort((a, b) => a - b);
    return {
      backend,
      insertManyMs,
      createIndexMs,
      findP50Ms: quantile(reads, 0.5),
      findP99Ms: quantile(reads, 0.99),
      findPerSecond,
      conditionalUpdateP50Ms: quantile(updates, 0.5),
      transactions,
    };
  } finally {
    await client.close();
  }
}

function startFerret(bin: string, args: string[], log: string): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (b: Buffer) => writeFileSync(log, b, { flag: 'a' }));
  started.push(child);
  return child;
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

const COMMON = ['--telemetry=disable', '--log-level=warn', '--debug-addr=127.0.0.1:0'];

/** SQLite: one file per database in a directory. */
async function onSqlite(ferret: string): Promise<BackendResult> {
  const dir = join(temp, 'sqlite');
  mkdirSync(dir);
  const port = await freePort();
  const f = startFerret(
    ferret,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dir}`,
      ...COMMON,
    ],
    join(temp, 'sqlite.log'),
  );
  const result = await workload('sqlite', `mongodb://127.0.0.1:${port}/`);
  await stop(f);
  return result;
}

/** PostgreSQL: a throwaway cluster owned by the postgres user (initdb refuses root). */
async function onPostgres(ferret: string): Promise<BackendResult> {
  const initdb = await ensureTool('initdb', ctx);
  const postgres = await ensureTool('postgres', ctx);
  const dir = join(temp, 'pg');
  mkdirSync(dir);
  // mkdtemp makes 0700 directories; the postgres user must be able to reach its data dir inside.
  chmodSync(temp, 0o755);
  const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  chownSync(dir, Number(ids.stdout), Number(gid.stdout));
  const asPg = (argv: string[]) => [
    'setpriv',
    '--reuid=postgres',
    '--regid=postgres',
    '--init-groups',
    '--',
    ...argv,
  ];
  const init = asPg([initdb.path, '-D', join(dir, 'data'), '-U', 'lab', '-A', 'trust', '--no-sync']);
  const r = spawnSync(init[0]!, init.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
  const pgPort = await freePort();
  const pgArgv = asPg([
    postgres.path,
    '-D',
    join(dir, 'data'),
    '-p',
    String(pgPort),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=on',
  ]);
  const pg = spawn(pgArgv[0]!, pgArgv.slice(1), { stdio: 'ignore' });
  started.push(pg);
  for (let i = 0; i < 100; i++) {
    const ready = spawnSync(join(postgres.path, '..', 'pg_isready'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(pgPort),
    ]);
    if (ready.status === 0) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  const create = spawnSync(
    join(postgres.path, '..', 'psql'),
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(pgPort),
      '-U',
      'lab',
      '-d',
      'postgres',
      '-c',
      'CREATE DATABASE ferretdb',
    ],
    { encoding: 'utf8' },
  );
  if (create.status !== 0) throw new Error(`createdb failed: ${create.stderr}`);
  const port = await freePort();
  const f = startFerret(
    ferret,
    [
      '--handler=postgresql',
      `--postgresql-url=postgres://lab@127.0.0.1:${pgPort}/ferretdb`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dir}`,
      ...COMMON,
    ],
    join(temp, 'pg-ferret.log'),
  );
  const result = await workload('postgresql', `mongodb://127.0.0.1:${port}/`);
  await stop(f);
  await stop(pg, 'SIGINT');
  return result;
}

/** results/ferretdb-backends.json and docs/benchmarks/ferretdb-backends.md from the measured results. */
function publish(ferret: ToolInfo, results: BackendResult[]): void {
  const faster = [...results].sort(
    (a, b) => a.findP50Ms + a.conditionalUpdateP50Ms - (b.findP50Ms + b.conditionalUpdateP50Ms),
  )[0]!;
  const machine = machineInfo();
  const command = `npm run bench:ferretdb -- --docs ${N} --reads ${READS} --updates ${UPDATES}`;
  const out = {
    measuredAt: new Date().toISOString(),
    machine,
    ferretdb: ferret.version,
    command,
    results,
    faster: faster.backend,
  };
  mkdirSync(join(root, 'results'), { recursive: true });
  writeFileSync(join(root, 'results/ferretdb-backends.json'), `${JSON.stringify(out, null, 2)}\n`);
  const f1 = (n: number) => n.toFixed(1);
  const f2 = (n: number) => n.toFixed(2);
  const md = [
    '<!-- generated by `npm run bench:ferretdb` from results/ferretdb-backends.json: do not edit -->',
    '# FerretDB backends: SQLite vs PostgreSQL',
    '',
    `FerretDB ${ferret.version} (MongoDB wire protocol) on ${describeMachine(machine)}; PostgreSQL backend on Debian`,
    `PostgreSQL ${postgresVersion()}; official \`mongodb\` driver, one connection, sequential operations, no CPU limits.`,
    `Command: \`${command}\` (measured ${out.measuredAt.slice(0, 10)}).`,
    '',
    `| backend | insertMany ${N} docs (ms) | createIndex (ms) | findOne by index p50 (ms) | p99 (ms) | findOne/s | conditional $inc p50 (ms) | multi-document transactions |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...results.map(
      (r) =>
        `| ${r.backend} | ${f1(r.insertManyMs)} | ${f1(r.createIndexMs)} | ${f2(r.findP50Ms)} | ${f2(r.findP99Ms)} | ${r.findPerSecond.toFixed(0)} | ${f2(r.conditionalUpdateP50Ms)} | ${r.transactions} |`,
    ),
    '',
    `Faster on the micro target's hot operations (indexed reads and conditional decrements): **${faster.backend}**.`,
    "The lab's default is `LAB_FERRETDB_BACKEND` in `.env`; a real `mongod` on PATH is always preferred over FerretDB,",
    'and every result records which server ran.',
    '',
  ];
  writeFileSync(join(root, 'docs/benchmarks/ferretdb-backends.md'), md.join('\n'));
  process.stdout.write(`${md.slice(3).join('\n')}\n`);
}

async function main(): Promise<void> {
  const ferret = await ensureTool('ferretdb', ctx);
  const results = [await onSqlite(ferret.path), await onPostgres(ferret.path)];
  publish(ferret, results);
}

function postgresVersion(): string {
  const r = spawnSync('psql', ['--version'], { encoding: 'utf8' });
  return /(\d+\.\d+)/.exec(r.stdout ?? '')?.[1] ?? 'unknown';
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`bench:ferretdb: ${(e as Error).message}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const c of started) await stop(c, 'SIGKILL');
    rmSync(temp, { recursive: true, force: true });
  });
