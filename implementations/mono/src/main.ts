#!/usr/bin/env node
// The mono target: one Express 5 + Prisma 7 process on PostgreSQL (or LAB_CPUS worker processes, see below).
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import pg from 'pg';
import { createApp } from './app.js';
import { log, type MonoConfig, readConfig, setLogLevel } from './config.js';
import { createDb } from './db/client.js';
import { migrate } from './db/migrate.js';
import { ensureSeeded } from './db/seed.js';
import { createMetrics, metricsSource, registerPoolGauges, serveClusterMetrics } from './metrics.js';
import { Store } from './store.js';

function fail(message: string): never {
  process.stderr.write(`mono: ${message}\n`);
  process.exit(1);
}

let config: MonoConfig;
try {
  config = readConfig();
} catch (e) {
  fail((e as Error).message);
}
setLogLevel(config.logLevel);

/** Postgres may still be starting (natively nothing orders the two): retry for up to a minute. */
async function waitForDatabase(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`database not reachable: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/** Setup, idempotent, before any HTTP is served: migrations, then the dataset if the database lacks it. */
async function prepareDatabase(): Promise<void> {
  await waitForDatabase(config.databaseUrl);
  const m = await migrate(config.databaseUrl);
  if (m.applied.length > 0) log('warn', `applied migrations: ${m.applied.join(', ')}`);
  const db = createDb({ url: config.databaseUrl, poolMax: 2 });
  try {
    const s = await ensureSeeded(db.prisma, config.seed, config.scale);
    if (!s.seeded) log('info', `dataset seed ${s.seed} scale ${s.scale} already present`);
  } finally {
    await db.close();
  }
}

function announce(port: number | string, extra: string): void {
  process.stdout.write(
    `mono listening on http://${config.host}:${port} (seed ${config.seed}, scale ${config.scale}, ${extra})\n`,
  );
}

/** One HTTP server process: its own pg pool, Prisma client and metrics registry. */
async function serve(): Promise<void> {
  const db = createDb({
    url: config.databaseUrl,
    poolMax: config.poolMax,
    logQueries: config.logLevel === 'debug',
  });
  const metrics = createMetrics();
  registerPoolGauges(metrics, db.pool);
  const app = createApp({
    store: new Store(db.prisma),
    metrics,
    metricsText: metricsSource(metrics),
    adminToken: config.adminToken,
  });
  await db.prisma.$connect();
  const server: Server = app.listen(config.port, config.host);
  // Clients (k6) keep connections open: never let Node's 5 s default close them under a benchmark.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch((e: Error) => fail(`cannot listen on ${config.host}:${config.port}: ${e.message}`));
  if (cluster.isPrimary) {
    const addr = server.address();
    announce(typeof addr === 'object' && addr ? addr.port : config.port, `1 process, pool ${config.poolMax}`);
  }
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    server.close(() => {
      db.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/**
 * Process model: workers = LAB_CPUS. One CPU -> this process serves HTTP itself (no cluster primary idling on
 * the budget). N CPUs -> a primary that only prepares the database, forks N workers sharing the port
 * (node:cluster, round-robin) and aggregates their metrics.
 */
async function primary(): Promise<void> {
  let stopping = false;
  let listening = 0;
  serveClusterMetrics();
  const fork = () => cluster.fork();
  cluster.on('listening', (_w, address) => {
    if (++listening === config.workers) {
      announce(address.port, `${config.workers} workers, pool ${config.poolMax} each`);
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log('error', `worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const w of workers) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 4_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < config.workers; i++) fork();
}

try {
  if (cluster.isWorker) {
    await serve();
  } else {
    await prepareDatabase();
    if (config.workers === 1) await serve();
    else await primary();
  }
} catch (e) {
  fail((e as Error).message);
}
