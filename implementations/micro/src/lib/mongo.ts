import { type Dataset, generateDataset } from '@lab/contract';
import {
  type Collection,
  type Db,
  type Document,
  type IndexDescription,
  MongoClient,
  type OptionalUnlessRequiredId,
} from 'mongodb';
import type { ProcessConfig } from './config.js';
import { KeyedLock } from './locks.js';

export interface MongoServerInfo {
  /** "mongodb 8.0.4", "ferretdb v1.24.2 (reports MongoDB 7.0.42)", "mongo-java-server 1.46.0 (memory) ...". */
  description: string;
  /** FerretDB v1 applies conditional updates non-atomically: the services lock per document on it. */
  ferretdb: boolean;
}

/** Names the server from its buildInfo: FerretDB and the lab's mongo-java-server launcher add their own field. */
export function describeServer(info: Document): MongoServerInfo {
  const reports = `reports MongoDB ${String(info['version'])}`;
  if (typeof info['ferretdbVersion'] === 'string')
    return { description: `ferretdb ${info['ferretdbVersion']} (${reports})`, ferretdb: true };
  if (typeof info['labServer'] === 'string')
    return { description: `${info['labServer']} (${reports}), not MongoDB`, ferretdb: false };
  return { description: `mongodb ${String(info['version'])}`, ferretdb: false };
}

export interface Store {
  client: MongoClient;
  db: Db;
  server: MongoServerInfo;
  locks: KeyedLock;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Connects (retrying for up to `waitMs`, since the database may still be starting), identifies the server and
 * decides whether per-document locks are needed (MICRO_DOC_LOCKS=auto: only on FerretDB).
 */
export async function connectStore(cfg: ProcessConfig, waitMs = 60_000): Promise<Store> {
  const client = new MongoClient(cfg.mongo.url, {
    maxPoolSize: cfg.mongo.poolSize,
    minPoolSize: Math.min(2, cfg.mongo.poolSize),
    serverSelectionTimeoutMS: cfg.mongo.serverSelectionTimeoutMs,
    appName: `lab-micro-${cfg.name}`,
    retryWrites: false,
  });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await client.connect();
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        throw new Error(`cannot reach MongoDB at ${cfg.mongo.url}: ${(e as Error).message}`, { cause: e });
      }
      await sleep(500);
    }
  }
  const server = describeServer(await client.db('admin').command({ buildInfo: 1 }));
  const lockMode = cfg.mongo.locks;
  const locks = new KeyedLock(lockMode === 'on' || (lockMode === 'auto' && server.ferretdb));
  return { client, db: client.db(cfg.mongo.db), server, locks };
}

/** Bumped whenever a service's stored layout changes: a database seeded with another layout is re-seeded. */
export const LAYOUT_VERSION = 3;

interface SeedMarker {
  _id: string;
  seed: number;
  scale: number;
  layout: number;
  seededAt: Date;
  seedMs: number;
}

export interface SeedOutcome {
  seeded: boolean;
  ms: number;
}

/**
 * Seeds a service's database when it is empty or was seeded with another seed/scale/layout: drops the
 * service's collections, loads the dataset in bulk, builds the indexes after the load, then writes a marker
 * (last, so an interrupted seed is redone on the next start).
 */
export async function seedIfNeeded(
  db: Db,
  lab: { seed: number; scale: number },
  collections: readonly string[],
  load: (dataset: Dataset) => Promise<void>,
  dataset?: () => Dataset,
): Promise<SeedOutcome> {
  const meta = db.collection<SeedMarker>('meta');
  const marker = await meta.findOne({ _id: 'dataset' });
  if (marker && marker.seed === lab.seed && marker.scale === lab.scale && marker.layout === LAYOUT_VERSION) {
    return { seeded: false, ms: 0 };
  }
  const t0 = performance.now();
  await meta.deleteMany({});
  for (const name of collections) await dropIfExists(db, name);
  await load(dataset ? dataset() : generateDataset({ seed: lab.seed, scale: lab.scale }));
  const ms = Math.round(performance.now() - t0);
  await meta.insertOne({
    _id: 'dataset',
    seed: lab.seed,
    scale: lab.scale,
    layout: LAYOUT_VERSION,
    seededAt: new Date(),
    seedMs: ms,
  });
  return { seeded: true, ms };
}

/**
 * Drops a collection if it exists. Neither the server-side name filter of listCollections (mongo-java-server
 * ignores it and lists every collection) nor error code 26 for a missing collection (mongo-java-server answers
 * "ns not found" without a code; mongod 7+ answers ok) can be trusted, so: drop, and treat "not found" in
 * either form as done.
 */
export async function dropIfExists(db: Db, name: string): Promise<void> {
  try {
    await db.collection(name).drop();
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    if (err.code === 26 || /ns not found/i.test(String(err.message))) return;
    throw e;
  }
}

/**
 * Bulk load: unordered insertMany in large batches, `inFlight` batches at a time. `make` builds the documents
 * of rows [from, to) so that only the batches in flight exist as documents at any moment.
 */
export async function insertInBatches<T extends Document>(
  coll: Collection<T>,
  count: number,
  batch: number,
  make: (from: number, to: number) => OptionalUnlessRequiredId<T>[],
  inFlight = 2,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const from = next;
      const to = Math.min(count, from + batch);
      next = to;
      await coll.insertMany(make(from, to), { ordered: false });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/**
 * Creates the indexes a collection lacks (by name), in one createIndexes call. Asking for indexes that already
 * exist is a no-op on MongoDB, but FerretDB v1.24 drops the connection (a panic) when every index of a
 * multi-index createIndexes call already exists: hence the check, which also saves the call on every restart.
 */
export async function ensureIndexes(
  coll: {
    listIndexes(): { toArray(): Promise<Document[]> };
    createIndexes(specs: IndexDescription[]): Promise<string[]>;
  },
  specs: IndexDescription[],
): Promise<void> {
  let existing: Set<string>;
  try {
    existing = new Set((await coll.listIndexes().toArray()).map((i) => String(i['name'])));
  } catch {
    existing = new Set();
  }
  const missing = specs.filter((s) => !existing.has(s.name!));
  if (missing.length > 0) await coll.createIndexes(missing);
}
