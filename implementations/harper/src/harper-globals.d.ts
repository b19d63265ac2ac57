// The part of Harper 4.7's component globals (tables, server, transaction, logger) that this component uses,
// typed narrowly. Harper injects these into every component module at load time; the `harperdb` package's own
// .d.ts files import `.ts` paths that this build cannot resolve, so the lab declares what it relies on here.

interface HarperQueryCondition {
  attribute: string;
  value: unknown;
  comparator?: 'equals' | 'between' | 'starts_with' | 'greater_than_equal' | 'less_than_equal';
}

interface HarperSort {
  attribute: string;
  descending?: boolean;
  next?: HarperSort;
}

interface HarperQuery {
  conditions?: HarperQueryCondition[];
  operator?: 'and' | 'or';
  sort?: HarperSort;
  select?: string[];
  limit?: number;
  offset?: number;
  explain?: boolean;
}

/** A request context: passing the same object to several calls makes them share one transaction. */
interface HarperContext {
  transaction?: unknown;
}

/** The LMDB store behind a table (lmdb-js): only the cross-thread lock and read-snapshot calls are used. */
interface HarperPrimaryStore {
  attemptLock(key: string, version: number, onUnlocked?: () => void): boolean;
  unlock(key: string, version: number): boolean;
  resetReadTxn(): void;
}

/** A Harper table class (a Resource). Records are returned with their fields on the prototype. */
interface HarperTable<R> {
  get(id: number | string, context?: HarperContext): Promise<R | null | undefined> | R | null | undefined;
  put(record: R, context?: HarperContext): Promise<void> | void;
  delete(id: number | string, context?: HarperContext): Promise<boolean> | boolean;
  search(query: HarperQuery, context?: HarperContext): AsyncIterable<R>;
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
