// Cross-thread locks for the read-check-write paths (checkout, add-to-cart).
//
// Harper 4.7 transactions are snapshot reads plus atomic, last-writer-wins commits: they do not lock, and a
// conflicting commit is retried by replaying the recorded writes, so a check such as "stock >= quantity" made on
// the snapshot is not re-checked (Harper's docs, "Transactions"; HarperFast/harper issues #1288 and #1331). The
// lock that Harper itself uses between worker threads is lmdb-js's attemptLock/unlock on a table's store (shared
// memory of the LMDB environment, so it holds across all HTTP worker threads of the process). Every writer of a
// key takes its lock, so a transaction started after acquiring it sees the latest committed value.

const VERSION = 0;

/** Acquires one lock, waiting (without spinning) for its holder to release it. */
function acquire(store: HarperPrimaryStore, key: string): Promise<void> | undefined {
  if (store.attemptLock(key, VERSION)) return undefined;
  return new Promise((resolve) => {
    const retry = (): void => {
      if (store.attemptLock(key, VERSION, retry)) resolve();
    };
    retry();
  });
}

/**
 * Runs `fn` holding every lock in `keys`, acquired in the given order (callers pass a canonical order: the cart,
 * then product ids ascending, so two checkouts can never wait on each other in a cycle). Locks are released
 * when `fn` settles, whether it resolves or throws.
 */
export async function withLocks<T>(
  store: HarperPrimaryStore,
  keys: readonly string[],
  fn: () => Promise<T>,
): Promise<T> {
  let held = 0;
  try {
    for (const key of keys) {
      const wait = acquire(store, key);
      if (wait) await wait;
      held++;
    }
    // A read snapshot opened earlier in this event-loop turn may predate the previous holder's commit.
    store.resetReadTxn();
    return await fn();
  } finally {
    for (let i = held - 1; i >= 0; i--) store.unlock(keys[i]!, VERSION);
  }
}
