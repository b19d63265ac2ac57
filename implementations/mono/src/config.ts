import { type LabEnv, readLabEnv } from '@lab/contract';

/** What /health and the metrics' `target` label call this implementation. */
export const TARGET = 'mono';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface MonoConfig extends LabEnv {
  host: string;
  port: number;
  databaseUrl: string;
  /** Node processes serving HTTP: LAB_CPUS (the budget), never the host's core count. */
  workers: number;
  /** pg pool size of each worker. */
  poolMax: number;
  logLevel: LogLevel;
}

/** Postgres' max_connections in docker-compose.yml; pools of all workers together stay well under it. */
export const PG_MAX_CONNECTIONS = 50;
/** Connections kept free for psql, the healthcheck and a second app instance during a restart. */
const RESERVED_CONNECTIONS = 10;
/** Per-core pool size: see "Connection pool" in docs/implementations/mono.md for the measurements. */
export const POOL_PER_CPU = 8;

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw) || n < min || n > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/**
 * LAB_CPUS can be fractional in principle (a CPU quota); workers = floor, at least 1. The pool per worker is
 * POOL_PER_CPU, capped so that all workers together keep RESERVED_CONNECTIONS of max_connections free.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): MonoConfig {
  const lab = readLabEnv(env);
  const cpusRaw = env['LAB_CPUS'] ?? '1';
  const cpus = Number(cpusRaw);
  if (!Number.isFinite(cpus) || cpus <= 0 || cpus > 256) {
    throw new Error(`LAB_CPUS must be a positive number, got "${cpusRaw}"`);
  }
  const workers = Math.max(1, Math.floor(cpus));
  const poolCap = Math.max(1, Math.floor((PG_MAX_CONNECTIONS - RESERVED_CONNECTIONS) / workers));
  const poolMax = intVar(env, 'PG_POOL_MAX', Math.min(POOL_PER_CPU, poolCap), 1, PG_MAX_CONNECTIONS);
  const logLevel = (env['LOG_LEVEL'] ?? 'warn').toLowerCase() as LogLevel;
  if (!LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(', ')}`);
  const databaseUrl = env['DATABASE_URL'] ?? '';
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(
      'DATABASE_URL must be a postgresql:// URL (e.g. postgresql://lab:lab@127.0.0.1:5433/lab)',
    );
  }
  return {
    ...lab,
    host: env['HOST'] ?? '127.0.0.1',
    port: intVar(env, 'PORT', 4000, 0, 65535),
    databaseUrl,
    workers,
    poolMax,
    logLevel,
  };
}

let threshold = LEVELS.indexOf('warn');

export function setLogLevel(level: LogLevel): void {
  threshold = LEVELS.indexOf(level);
}

/** One line per event on stderr; nothing on the request path below warn (the default level). */
export function log(level: LogLevel, message: string): void {
  if (LEVELS.indexOf(level) < threshold) return;
  process.stderr.write(`mono[${process.pid}] ${level}: ${message}\n`);
}
