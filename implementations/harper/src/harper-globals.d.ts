// The part of Harper 4.7's component globals (tables, server, transaction, logger) that this component uses,
// typed narrowly. Harper injects these into every component module at load time; the `harperdb` package's own
// .d.ts files import `.ts` paths that this build cannot resolve, so the lab declares what it relies on here.

/** A request context: passing the same object to several calls makes them share one transaction. */
interface HarperContext {
  transaction?: unknown;
}

/**
 * The LMDB store behind a table (lmdb-js), keyed by primary key. get() is synchronous (memory-mapped), decodes
 * Harper's record format, and goes through lmdb-js's record cache, which Harper opens in validated mode (each hit
 * is checked against the entry's last transaction id, so writes from any thread are seen, except for an entry
 * without a transaction id, which is returned unchecked: see Db.read). A thread reads from one snapshot until
 * lmdb-js renews it on a 0 ms timer or resetReadTxn() is called.
 */
interface HarperPrimaryStore {
  get(id: number | string): unknown;
  getRange(options: {
    start?: unknown;
    end?: unknown;
    limit?: number;
  }): Iterable<{ key: unknown; value: unknown }>;
  getKeys(options: { start?: unknown; end?: unknown; limit?: number }): Iterable<unknown>;
  attemptLock(key: string, version: number, onUnlocked?: () => void): boolean;
  unlock(key: string, version: number): boolean;
  resetReadTxn(): void;
  /** This thread's record cache (a Map-like weak LRU cache), absent on a store opened without one. */
  readonly cache?: { delete(id: number | string): boolean };
}

/**
 * One attribute index of a table (an lmdb-js dupsort store): keys are the attribute's values (each element for an
 * array attribute), values are the records' primary keys. Ranges are [start, end), in key order.
 */
interface HarperIndexStore {
  getRange(options: {
    start?: unknown;
    end?: unknown;
    limit?: number;
    offset?: number;
  }): Iterable<{ key: unknown; value: number | string }>;
  getValues(key: unknown, options?: { limit?: number }): Iterable<number | string>;
  getKeysCount(options: { start?: unknown; end?: unknown }): number;
  /** With a value: that key/value pair exists; without: the key has at least one value. */
  doesExist(key: unknown, value?: number | string): boolean;
}

/** A Harper table class (a Resource). Records are returned with their fields on the prototype. */
interface HarperTable<R> {
  /** The @indexed attributes' index stores, by attribute name. */
  readonly indices: Record<string, HarperIndexStore | undefined>;
  get(id: number | string, context?: HarperContext): Promise<R | null | undefined> | R | null | undefined;
  put(record: R, context?: HarperContext): Promise<void> | void;
  delete(id: number | string, context?: HarperContext): Promise<boolean> | boolean;
  readonly primaryStore: HarperPrimaryStore;
}

interface HarperRequestHeaders {
  get(name: string): string | undefined;
}

interface HarperRequest {
  method: string;
  /** Path and query as received, e.g. "/api/search?q=lamp". */
  url: string;
  headers: HarperRequestHeaders;
  body: { on(event: string, listener: (arg?: unknown) => void): unknown };
  /** Names the route in Harper's own analytics (hdb_analytics). */
  handlerPath?: string;
}

interface HarperResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
}

type HarperHttpListener = (
  request: HarperRequest,
  next: (request: HarperRequest) => unknown,
) => HarperResponse | Promise<HarperResponse> | unknown;

interface HarperServer {
  http(listener: HarperHttpListener, options?: { runFirst?: boolean; port?: number }): unknown;
  /** 0-based index of this HTTP worker thread. */
  workerIndex?: number;
}

interface HarperLogger {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  notify(...args: unknown[]): void;
}

declare const tables: Record<string, HarperTable<unknown> | undefined>;
declare const server: HarperServer;
declare const logger: HarperLogger;
declare function transaction<T>(context: HarperContext, callback: () => T | Promise<T>): Promise<T>;
