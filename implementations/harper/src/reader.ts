import type {
  CartRecord,
  CategoryRecord,
  Indexes,
  InventoryRecord,
  ProductRecord,
  ReviewRecord,
  Tables,
} from './tables.js';

/**
 * Read access for one request, straight from Harper's storage layer: each table's primary store (Table.primaryStore)
 * and attribute indexes (Table.indices), the lmdb-js stores Harper keeps its records and indexes in. These reads
 * are synchronous and a read handler never awaits between them, so they all see one LMDB read snapshot (lmdb-js
 * keeps a thread's read transaction until a 0 ms timer fires, and renews it after this thread's own commits).
 * Time spent in these calls is the `db;dur` of server-timing.
 */
export class Reader {
  ms = 0;

  constructor(
    private readonly t: Tables,
    readonly ix: Indexes,
  ) {}

  private get<R>(table: HarperTable<R>, id: number | string): R | undefined {
    const t0 = performance.now();
    const r = table.primaryStore.get(id) as R | null | undefined;
    this.ms += performance.now() - t0;
    return r ?? undefined;
  }

  product(id: number): ProductRecord | undefined {
    return this.get(this.t.Product, id);
  }

  stock(id: number): InventoryRecord | undefined {
    return this.get(this.t.Inventory, id);
  }

  category(id: number): CategoryRecord | undefined {
    return this.get(this.t.Category, id);
  }

  review(id: number): ReviewRecord | undefined {
    return this.get(this.t.Review, id);
  }

  /**
   * A cart is read from a fresh snapshot: lmdb-js renews a thread's snapshot only when a timer of 0 ms fires, so
   * without this a cart read on one thread could miss an add that another thread has already answered.
   */
  cart(id: string): CartRecord | undefined {
    this.t.Cart.primaryStore.resetReadTxn();
    return this.get(this.t.Cart, id);
  }

  /** Times an index scan. */
  index<T>(fn: () => T): T {
    const t0 = performance.now();
    const r = fn();
    this.ms += performance.now() - t0;
    return r;
  }
}
