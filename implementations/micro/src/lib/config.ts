import { type LabEnv, readLabEnv } from '@lab/contract';

/** The six processes of the micro target, with their default ports (docker-compose.yml uses the same). */
export const SERVICES = {
  bff: 3000,
  catalog: 3001,
  pricing: 3002,
  inventory: 3003,
  reviews: 3004,
  orders: 3005,
} as const;

export type ProcessName = keyof typeof SERVICES;
export type ServiceName = Exclude<ProcessName, 'bff'>;
export const TARGET = 'micro';

/** Thrown for an unusable setting; main() prints the message and exits 1. */
export class ConfigError extends Error {}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function urlVar(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:') throw new Error('only http: is supported');
    return u.origin;
  } catch (e) {
    throw new ConfigError(`${name} must be an http URL, got "${raw}": ${(e as Error).message}`);
  }
}

export type DocLocks = 'auto' | 'on' | 'off';

export interface UpstreamSettings {
  /** Whole-call deadline (queueing + connect + headers + body); past it the caller answers 504. */
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Keep-alive connections per upstream service (undici Pool `connections`). */
  connections: number;
  keepAliveMs: number;
}

export interface ProcessConfig {
  name: ProcessName;
  host: string;
  port: number;
  logLevel: string;
  lab: LabEnv;
  upstream: UpstreamSettings;
  /** Base URLs of the services this process may call. */
  urls: Record<ServiceName, string>;
  mongo: {
    url: string;
    db: string;
    poolSize: number;
    /** In-process per-document write locks: needed on FerretDB v1 (see docs), not on MongoDB. */
    locks: DocLocks;
    serverSelectionTimeoutMs: number;
  };
  insertBatch: number;
}

/** Reads the environment of one process; every variable is documented in docs/implementations/micro.md. */
export function readConfig(name: ProcessName, env: NodeJS.ProcessEnv = process.env): ProcessConfig {
  let lab: LabEnv;
  try {
    lab = readLabEnv(env);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const locks = (env['MICRO_DOC_LOCKS'] || 'auto') as DocLocks;
  if (!['auto', 'on', 'off'].includes(locks)) {
    throw new ConfigError(`MICRO_DOC_LOCKS must be auto, on or off, got "${locks}"`);
  }
  const urls = {} as Record<ServiceName, string>;
  for (const s of Object.keys(SERVICES) as ProcessName[]) {
    if (s === 'bff') continue;
    urls[s] = urlVar(env, `${s.toUpperCase()}_URL`, `http://127.0.0.1:${SERVICES[s]}`);
  }
  return {
    name,
    host: env['HOST'] || '127.0.0.1',
    port: intVar(env, 'PORT', SERVICES[name], 0, 65535),
    logLevel: env['LOG_LEVEL'] || 'warn',
    lab,
    upstream: {
      timeoutMs: intVar(env, 'UPSTREAM_TIMEOUT_MS', 5000, 1, 600_000),
      connectTimeoutMs: intVar(env, 'UPSTREAM_CONNECT_TIMEOUT_MS', 1000, 1, 60_000),
      connections: intVar(env, 'UPSTREAM_CONNECTIONS', 16, 1, 4096),
      keepAliveMs: intVar(env, 'UPSTREAM_KEEPALIVE_MS', 30_000, 1, 600_000),
    },
    urls,
    mongo: {
      url: env['MONGO_URL'] || 'mongodb://127.0.0.1:27017',
      db: env['MONGO_DB'] || `lab_${name}`,
      poolSize: intVar(env, 'MONGO_POOL_SIZE', 10, 1, 1000),
      locks,
      serverSelectionTimeoutMs: intVar(env, 'MONGO_SERVER_SELECTION_TIMEOUT_MS', 5000, 100, 600_000),
    },
    insertBatch: intVar(env, 'SEED_BATCH', 2000, 100, 100_000),
  };
}
