import type { Tables } from './tables.js';

/**
 * One request's view of the database: the Harper context that makes every call share one transaction (one read
 * snapshot, one atomic commit), and the time spent in Harper calls, reported as `db;dur` in server-timing.
 * Calls are awaited one at a time, so the sum of their durations is the database time.
 */
export class Db {
  readonly ctx: HarperContext = {};
  ms = 0;

  constructor(readonly t: Tables) {}

  async get<R>(table: HarperTable<R>, id: number | string): Promise<R | undefined> {
    const t0 = performance.now();
    const r = await table.get(id, this.ctx);
    this.ms += performance.now() - t0;
    return r ?? undefined;
  }

  /** Runs a query and collects its results (queries here are bounded by a limit or by the data's shape). */
  async all<R>(table: HarperTable<R>, query: HarperQuery): Promise<R[]> {
    const t0 = performance.now();
    const out: R[] = [];
    for await (const r of table.search(query, this.ctx)) out.push(r);
    this.ms += performance.now() - t0;
    return out;
  }

  put<R>(table: HarperTable<R>, record: R): Promise<void> | void {
    const t0 = performance.now();
    const r = table.put(record, this.ctx);
    this.ms += performance.now() - t0;
    return r;
  }

  /** Runs `fn` in one Harper transaction; resolves after the commit (writes are durable and visible). */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    let fnMs = 0;
    const t0 = performance.now();
    const result = await transaction(this.ctx, async () => {
      const t1 = performance.now();
      try {
        return await fn();
      } finally {
        fnMs = performance.now() - t1;
      }
    });
    // Opening the transaction and committing it is database time too (fn's own calls are already counted).
    this.ms += performance.now() - t0 - fnMs;
    return result;
  }
}
