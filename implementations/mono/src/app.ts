import { timingSafeEqual } from 'node:crypto';
import {
  ContractError,
  errors,
  isJsonContentType,
  MESSAGES,
  matchRoute,
  parseAddItemRequest,
  parseCategoryQuery,
  parseProductId,
  parseSearchQuery,
  splitTarget,
  unmatchedRoute,
} from '@lab/contract';
import { type HttpMetrics, serverTiming } from '@lab/contract/metrics';
import { CORS_HEADERS, preflight, webAsset } from '@lab/web';
import express, { type NextFunction, type Request, type Response } from 'express';
import { log, TARGET } from './config.js';
import { DbTimer, type Store } from './store.js';

const MAX_BODY = '64kb';

interface Locals {
  started: bigint;
  db: DbTimer;
  /** The contract's route template (the metrics label), or "unmatched". */
  route: string;
}

function locals(res: Response): Locals {
  return res.locals as Locals;
}

function timing(res: Response): string {
  const l = locals(res);
  const appMs = Number(process.hrtime.bigint() - l.started) / 1e6;
  return l.db.ms > 0 ? serverTiming(appMs, l.db.ms) : serverTiming(appMs);
}

/** Every JSON answer goes through here: status, server-timing, body (res.json: compact JSON.stringify). */
function send(res: Response, status: number, body: unknown): void {
  res.setHeader('server-timing', timing(res));
  res.status(status).json(body);
}

function rawQuery(req: Request): string {
  return splitTarget(req.originalUrl).query;
}

/** Postgres unreachable or the pool exhausted for too long: the contract's 503, never a hang or a bare 500. */
function isDatabaseDown(e: unknown): boolean {
  const err = e as { name?: string; code?: string; message?: string };
  return (
    err?.name === 'PrismaClientInitializationError' ||
    err?.code === 'P1001' ||
    err?.code === 'P1017' ||
    err?.code === 'P2024' ||
    err?.code === 'ECONNREFUSED' ||
    /connect|terminat|timeout/i.test(err?.message ?? '')
  );
}

export interface AppOptions {
  store: Store;
  metrics: HttpMetrics;
  /** The /metrics text: this process' registry, or the whole cluster's (see metrics.ts). */
  metricsText: () => Promise<string>;
  adminToken: string;
}

/**
 * The Express 5 application. Routing is Express' own (app.get/app.post); a first middleware matches the request
 * against the contract's route table, because Express is more lenient than the contract (trailing slashes, case,
 * HEAD for GET, undecodable parameters as 400): whatever the contract does not know is a 404 (or 405) before
 * routing.
 */
export function createApp({ store, metrics, metricsText, adminToken }: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETag: it would hash every body (CPU) and could turn reads into 304s the contract does not have.
  app.set('etag', false);
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  // The contract's validators take the raw query string; Express never needs to parse it.
  app.set('query parser', false);
  const token = Buffer.from(adminToken);

  app.use((req, res, next) => {
    const l: Locals = { started: process.hrtime.bigint(), db: new DbTimer(), route: 'unmatched' };
    res.locals = l as unknown as typeof res.locals;
    res.on('finish', () => {
      metrics.observe(l.route, req.method, res.statusCode, Number(process.hrtime.bigint() - l.started) / 1e9);
    });
    const path = splitTarget(req.url).path;
    const m = matchRoute(req.method, path);
    if (!m) {
      // Not an API route: the storefront (GET/HEAD of / and its files), a CORS preflight, else the contract's
      // 405 (a known path) or 404.
      const w = webAsset(req.method, path) ?? preflight(req.method, path);
      if (w) {
        res.writeHead(w.status, w.headers);
        res.end(w.body);
        return;
      }
    }
    for (const k in CORS_HEADERS) res.setHeader(k, CORS_HEADERS[k]!);
    if (!m) {
      const u = unmatchedRoute(path);
      if (u.allow) res.setHeader('allow', u.allow);
      send(res, u.status, u.body);
      return;
    }
    l.route = m.route.template;
    next();
  });

  app.get('/health', async (_req, res) => {
    await store.ping(locals(res).db);
    send(res, 200, { status: 'ok', target: TARGET });
  });

  app.get('/metrics', async (_req, res) => {
    const text = await metricsText();
    res.setHeader('server-timing', timing(res));
    res.status(200).type(metrics.registry.contentType).send(text);
  });

  app.get('/api/home', async (_req, res) => {
    send(res, 200, await store.home(locals(res).db));
  });

  app.get('/api/categories/:slug/products', async (req, res) => {
    const q = parseCategoryQuery(rawQuery(req));
    if (!q.ok) throw new ContractError(errors.badRequest(q.message));
    send(res, 200, await store.categoryPage(locals(res).db, req.params['slug']!, q.value));
  });

  app.get('/api/products/:id', async (req, res) => {
    const id = parseProductId(req.params['id']!);
    if (id === null) throw new ContractError(errors.productNotFound());
    send(res, 200, await store.product(locals(res).db, id));
  });

  app.get('/api/search', async (req, res) => {
    const q = parseSearchQuery(rawQuery(req));
    if (!q.ok) throw new ContractError(errors.badRequest(q.message));
    send(res, 200, await store.search(locals(res).db, q.value));
  });

  app.post('/api/carts', async (_req, res) => {
    send(res, 201, await store.createCart(locals(res).db));
  });

  app.get('/api/carts/:id', async (req, res) => {
    send(res, 200, await store.getCart(locals(res).db, req.params['id']!));
  });

  // The body is read raw and only when the content-type is JSON, so that the contract's validation order holds
  // (content-type, then JSON object, then fields) and its parser decides, not body-parser's.
  app.post(
    '/api/carts/:id/items',
    express.raw({ type: (req) => isJsonContentType(req.headers['content-type']), limit: MAX_BODY }),
    async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const input = parseAddItemRequest(req.headers['content-type'], raw);
      if (!input.ok) throw new ContractError(errors.badRequest(input.message));
      send(res, 200, await store.addItem(locals(res).db, req.params['id']!, input.value));
    },
  );

  app.post('/api/carts/:id/checkout', async (req, res) => {
    send(res, 201, await store.checkout(locals(res).db, req.params['id']!));
  });

  app.post('/api/admin/reset', async (req, res) => {
    const given = req.headers['x-lab-token'];
    const ok =
      typeof given === 'string' &&
      Buffer.byteLength(given) === token.length &&
      timingSafeEqual(Buffer.from(given), token);
    if (!ok) throw new ContractError(errors.unauthorized());
    await locals(res).db.run(store.reset());
    res.setHeader('server-timing', timing(res));
    res.status(204).end();
  });

  // Only reachable if Express' router and the contract's route table ever disagreed.
  app.use((_req, res) => {
    const e = errors.routeNotFound();
    send(res, e.status, e.body);
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof ContractError) {
      send(res, err.status, err.body);
      return;
    }
    // body-parser (http-errors with a 4xx status): oversized, truncated or undecodable bodies, always JSON-typed
    // here (see above). The reference answers the same 400 for them.
    const status = (err as { status?: unknown; expose?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const e = errors.badRequest(MESSAGES.bodyNotObject);
      send(res, e.status, e.body);
      return;
    }
    if (isDatabaseDown(err)) {
      log('error', `${req.method} ${req.originalUrl}: database unavailable: ${(err as Error).message}`);
      const e = errors.serviceUnavailable('postgres');
      send(res, e.status, e.body);
      return;
    }
    log('error', `${req.method} ${req.originalUrl}: ${(err as Error)?.stack ?? String(err)}`);
    send(res, 500, { error: { code: 'internal_error', message: 'internal error' } });
  });

  return app;
}
