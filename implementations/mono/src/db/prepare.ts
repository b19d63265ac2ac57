import pg from 'pg';
import { log, type MonoConfig } from '../config.js';
import { createDb } from './client.js';
import { migrate } from './migrate.js';
import { ensureSeeded, type SeedReport } from './seed.js';

/** Postgres may still be starting (natively nothing orders the two): retry for up to a minute. */
export async function waitForDatabase(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(`database not reachable: ${(e as Error).message}`, { cause: e });
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/** Setup, idempotent, before any HTTP is served: migrations, then the dataset if the database lacks it. */
export async function prepareDatabase(
  config: Pick<MonoConfig, 'databaseUrl' | 'seed' | 'scale'>,
): Promise<SeedReport> {
  await waitForDatabase(config.databaseUrl);
  const m = await migrate(config.databaseUrl);
  if (m.applied.length > 0) log('warn', `applied migrations: ${m.applied.join(', ')}`);
  const db = createDb({ url: config.databaseUrl, poolMax: 2 });
  try {
    const s = await ensureSeeded(db.prisma, config.seed, config.scale);
    if (!s.seeded) log('info', `dataset seed ${s.seed} scale ${s.scale} already present`);
    return s;
  } finally {
    await db.close();
  }
}
