/**
 * Per-key async mutex. MongoDB applies a conditional update ({available: {$gte: q}} + $inc) atomically on the
 * server, so the services need no lock there. FerretDB v1 does not: it reads the matching documents, applies the
 * update in Go and writes the whole document back, with no transaction around the read and the write (see
 * docs/implementations/micro.md, "FerretDB"). On FerretDB every write to one document therefore goes through
 * this lock, which makes it correct as long as one process writes each collection (the lab's process model).
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(readonly enabled: boolean) {}

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (!this.enabled) return fn();
    const previous = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous ? previous.then(() => mine) : mine;
    this.tails.set(key, tail);
    try {
      if (previous) await previous;
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  get size(): number {
    return this.tails.size;
  }
}

type Scalar = string | number | boolean | Date | { equals(other: unknown): boolean };
/** The filters conditional writes use: equality on top-level fields, plus {$gte: n}. */
export type SimpleFilter = Record<string, Scalar | { $gte: number }>;

interface UpdatableCollection {
  updateOne(filter: object, update: object): Promise<{ matchedCount: number }>;
  findOne(filter: object): Promise<Record<string, unknown> | null>;
}

function matches(doc: Record<string, unknown>, filter: SimpleFilter): boolean {
  for (const [k, want] of Object.entries(filter)) {
    const got = doc[k];
    if (want !== null && typeof want === 'object' && '$gte' in want) {
      if (typeof got !== 'number' || got < want.$gte) return false;
    } else if (want instanceof Date) {
      if (!(got instanceof Date) || got.getTime() !== want.getTime()) return false;
    } else if (want !== null && typeof want === 'object' && 'equals' in want) {
      if (!want.equals(got)) return false;
    } else if (got !== want) return false;
  }
  return true;
}

/**
 * A conditional single-document update ("update this document if it still matches"), answering whether it
 * applied. On MongoDB: one updateOne, atomic on the server. With locks (FerretDB): under the document's lock;
 * and when the _id is a string or ObjectId, as a read by _id, a check here and a write by _id, because FerretDB
 * v1's SQLite backend only pushes filters made of a lone string/ObjectId _id down to SQL (anything else scans
 * the collection). Same answers either way. With a `deadline` (performance.now() time) it answers 'expired'
 * instead of writing once the deadline has passed.
 */
export async function updateIf(
  locks: KeyedLock,
  coll: UpdatableCollection,
  key: string,
  filter: SimpleFilter & { _id: Scalar },
  update: object,
  deadline?: number,
): Promise<boolean | 'expired'> {
  if (!locks.enabled) {
    if (deadline !== undefined && performance.now() >= deadline) return 'expired';
    return (await coll.updateOne(filter, update)).matchedCount === 1;
  }
  return locks.run(key, async () => {
    // Checked once the lock is ours: a request that queued past its caller's deadline does nothing.
    if (deadline !== undefined && performance.now() >= deadline) return 'expired';
    const id = filter._id;
    if (typeof id === 'number') return (await coll.updateOne(filter, update)).matchedCount === 1;
    const doc = await coll.findOne({ _id: id });
    if (!doc || !matches(doc, filter)) return false;
    return (await coll.updateOne({ _id: id }, update)).matchedCount === 1;
  });
}
