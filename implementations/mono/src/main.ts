#!/usr/bin/env node
// The mono target: one Express 5 + Prisma 7 process on PostgreSQL (or LAB_CPUS worker processes, see below).
import { fork } from 'node:child_process';
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { answerClientError } from '@lab/contract';
import { createApp } from './app.js';
import { log, type MonoConfig, readConfig, setLogLevel } from './config.js';
import { createDb } from './db/client.js';
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

/** Runs setup.js (migrations + seeding) in a child process and waits for it; SIGTERM meanwhile stops both. */
function runSetup(): Promise<void> {
  return new Promise((resolve, reject) => {
    // The generated dataset lives in the setup process' heap (~325 MB at scale 100). Node sizes its heap from
    // the container's memory limit (a quarter of it), too small for that: give the setup process room, bounded
    // so that its peak RSS stays inside the app's 1 GiB share at scale 100 (measured ~700 MB).
    const heapMb = 384 + 3 * config.scale;
    const execArgv = /max-old-space-size/.test(process.env['NODE_OPTIONS'] ?? '')
      ? []
      : [`--max-old-space-size=${heapMb}`];
    const child = fork(fileURLToPath(new URL('./setup.js', import.meta.url)), [], {
      stdio: 'inherit',
      execArgv,
    });
    let stopping = false;
    const stop = () => {
      stopping = true;
      child.kill('SIGTERM');
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      if (code === 0) resolve();
      else if (stopping) process.exit(0);
      else reject(new Error(`database setup failed (${signal ?? `exit ${code}`})`));
    });
  });
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
  server.on('clientError', answerClientError);
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
    await runSetup();
    if (config.workers === 1) await serve();
    else await primary();
  }
} catch (e) {
  fail((e as Error).message);
}
