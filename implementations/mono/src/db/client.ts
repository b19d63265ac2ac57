import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { log } from '../config.js';
import { PrismaClient } from '../generated/prisma/client.js';

export interface Db {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface DbOptions {
  url: string;
  poolMax: number;
  /** Log every SQL statement Prisma sends (LOG_LEVEL=debug; never on in a measurement). */
  logQueries?: boolean;
}

/**
 * Prepared-statement names: one per distinct SQL text, so that each pooled connection parses and plans a
 * Prisma query shape once and then only binds and executes it (Prisma's pg adapter leaves statements unnamed,
 * i.e. parsed on every call, unless a name generator is given). Bounded: the app has a few dozen query shapes.
 * An empty name means an unnamed statement to pg.
 */
const statementNames = new Map<string, string>();
/** Longer statements (bulk inserts with thousands of placeholders) stay unnamed: one-off, never worth caching. */
const MAX_NAMED_SQL = 4096;
function statementName(sql: string): string {
  if (sql.length > MAX_NAMED_SQL) return '';
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `p${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

export function createDb(options: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    // Keep connections: a benchmark run must not pay for reconnects (and Postgres forks a backend per connect).
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: 10_000,
    application_name: 'mono',
  });
  pool.on('error', (err) => log('warn', `idle pg connection failed: ${err.message}`));
  const adapter = new PrismaPg(pool, {
    statementNameGenerator: (query) => statementName(query.sql),
    onPoolError: (err) => log('warn', `pg pool: ${err.message}`),
  });
  const prisma = new PrismaClient({
    adapter,
    log: options.logQueries ? [{ emit: 'event', level: 'query' }] : [],
    // Under load a transaction may wait for a pooled connection: that is back-pressure, not an error.
    transactionOptions: { maxWait: 30_000, timeout: 30_000 },
  });
  if (options.logQueries) {
    prisma.$on('query', (e) => log('debug', `sql ${e.duration}ms ${e.query} ${e.params}`));
  }
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
