import type { Tables } from './tables.js';

/**
 * One write request's view of the database: writes through Harper's Resource API (Table.put) with a context that
 * makes them one Harper transaction (one atomic commit), reads from the primary stores, and the time spent in
 * Harper calls, reported as `db;dur` in server-timing. Calls are awaited one at a time, so the sum of their
 * durations is the database time.
 */
export class Db {
  /** The context of the current transaction (a new one per transaction() call). */
  ctx: HarperContext = {};
  ms = 0;

  constructor(readonly t: Tables) {}

  /**
   * Reads the latest committed record from the table's primary store (synchronous, like the read routes: see
   * reader.ts). Write paths read only records whose writers all hold a lock the caller holds too, and the lock
   * holder resets the thread's read snapshot after acquiring (locks.ts). The thread's cached copy is dropped first:
   * lmdb-js's validated cache returns an entry that has no transaction id without checking it, and an entry
   * written synchronously never gets one, so only a read from the store itself is certain to be the latest.
   */
  read<R>(table: HarperTable<R>, id: number | string): R | undefined {
    const t0 = performance.now();
    table.primaryStore.cache?.delete(id);
    const r = table.primaryStore.get(id) as R | null | undefined;
    this.ms += performance.now() - t0;
    return r ?? undefined;
  }

  async put<R>(table: HarperTable<R>, record: R): Promise<void> {
    const t0 = performance.now();
    await table.put(record, this.ctx);
    this.ms += performance.now() - t0;
  }

  /** Runs `fn` in one Harper transaction; resolves after the commit (writes are durable and visible). */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    let fnMs = 0;
    const t0 = performance.now();
    this.ctx = {};
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
