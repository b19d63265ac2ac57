import { timingSafeEqual } from 'node:crypto';
import {
  type ApiError,
  errors,
  JSON_CONTENT_TYPE,
  type LabEnv,
  MESSAGES,
  matchRoute,
  parseAddItemRequest,
  parseCategoryQuery,
  parseProductId,
  parseSearchQuery,
  unmatchedRoute,
} from '@lab/contract';
import { serverTiming } from '@lab/contract/metrics';
import { CORS_HEADERS, preflight, type WebResponse, webAsset } from '@lab/web';
import { addItem, checkout, createCart, getCart, type Outcome } from './carts.js';
import { categoryPage, home, productDetail, search } from './catalog.js';
import { Db } from './db.js';
import type { ThreadedMetrics } from './metrics.js';
import { Reader } from './reader.js';
import { resetData } from './seed.js';
import type { Indexes, Tables } from './tables.js';

const TARGET = 'harper';
const MAX_BODY_BYTES = 64 * 1024;
const NOT_FOUND = JSON.stringify(errors.routeNotFound().body);
const HEALTH_OK = JSON.stringify({ status: 'ok', target: TARGET });
const NOT_READY = JSON.stringify(errors.serviceUnavailable(TARGET).body);

export interface AppOptions {
  tables: Tables;
  indexes: Indexes;
  env: LabEnv;
  metrics: ThreadedMetrics;
  /** True once the dataset is loaded (seeding runs in the background on first start). */
  ready: () => boolean | Promise<boolean>;
}

function json(status: number, body: string, started: number, dbMs?: number): HarperResponse {
  return {
    status,
    headers: {
      'content-type': JSON_CONTENT_TYPE,
      'server-timing': serverTiming(performance.now() - started, dbMs),
      ...CORS_HEADERS,
    },
    body,
  };
}

/** The storefront's files and CORS preflights (@lab/web): complete answers, precomputed. */
function web(w: WebResponse): HarperResponse {
  return w.body === undefined ? { status: w.status, headers: w.headers } : w;
}

function fail(e: ApiError, started: number, dbMs?: number): HarperResponse {
  return json(e.status, JSON.stringify(e.body), started, dbMs);
}

/** The contract's 405 (a known path, with its `allow` header) or 404. */
function unmatched(path: string, started: number): HarperResponse {
  const u = unmatchedRoute(path);
  if (!u.allow) return json(404, NOT_FOUND, started);
  const r = fail(u, started);
  r.headers['allow'] = u.allow;
  return r;
}

function outcome(o: Outcome, started: number, dbMs: number): HarperResponse {
  return 'body' in o && typeof o.body === 'string'
    ? json(o.status, o.body, started, dbMs)
    : fail(o as ApiError, started, dbMs);
}

/** The request body as text; null when it is larger than MAX_BODY_BYTES. */
function readBody(request: HarperRequest): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const body = request.body;
    body.on('data', (chunk) => {
      const c = chunk as Buffer;
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    body.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    body.on('error', (e) => reject(e));
  });
}

function tokenMatches(expected: Buffer, given: string | undefined): boolean {
  if (given === undefined) return false;
  const b = Buffer.from(given);
  return b.length === expected.length && timingSafeEqual(b, expected);
}

/**
 * The contract's routes as one Harper HTTP middleware (server.http, runFirst): it answers every request on the
 * HTTP port, so unknown routes and wrong methods get the contract's 404 and nothing of Harper's REST layer is
 * reachable. Per route: validation from @lab/contract, then the data: reads from Harper's storage layer in one
 * snapshot (reader.ts), writes in one Harper transaction (db.ts).
 */
export function createListener(options: AppOptions): HarperHttpListener {
  const { tables, indexes, env, metrics } = options;
  const token = Buffer.from(env.adminToken);

  async function route(request: HarperRequest, started: number): Promise<[string, HarperResponse]> {
    const url = request.url;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    const m = matchRoute(request.method, path);
    if (!m) {
      // Not an API route: the storefront (GET/HEAD of / and its files), a CORS preflight, else the contract's
      // 405 or 404.
      const w = webAsset(request.method, path) ?? preflight(request.method, path);
      return ['unmatched', w ? web(w) : unmatched(path, started)];
    }
    const template = m.route.template;
    request.handlerPath = template;
    const name = m.route.name;
    let ready = options.ready();
    if (ready !== true) ready = await ready;
    if (name === 'health') {
      return [template, ready ? json(200, HEALTH_OK, started) : json(503, NOT_READY, started)];
    }
    if (name === 'metrics') {
      const text = await metrics.text();
      return [template, { status: 200, headers: { 'content-type': metrics.contentType }, body: text }];
    }
    if (!ready) return [template, json(503, NOT_READY, started)];
    const p = m.params;
    switch (name) {
      case 'home': {
        const r = new Reader(tables, indexes);
        return [template, json(200, home(r), started, r.ms)];
      }
      case 'categoryProducts': {
        const parsed = parseCategoryQuery(query);
        if (!parsed.ok) return [template, fail(errors.badRequest(parsed.message), started)];
        const r = new Reader(tables, indexes);
        const body = categoryPage(r, p['slug']!, parsed.value);
        return [
          template,
          body === null ? fail(errors.categoryNotFound(), started, r.ms) : json(200, body, started, r.ms),
        ];
      }
      case 'product': {
        const id = parseProductId(p['id']!);
        const r = new Reader(tables, indexes);
        const body = id === null ? null : productDetail(r, id);
        return [
          template,
          body === null ? fail(errors.productNotFound(), started, r.ms) : json(200, body, started, r.ms),
        ];
      }
      case 'search': {
        const parsed = parseSearchQuery(query);
        if (!parsed.ok) return [template, fail(errors.badRequest(parsed.message), started)];
        const r = new Reader(tables, indexes);
        return [template, json(200, search(r, parsed.value), started, r.ms)];
      }
      case 'getCart': {
        const r = new Reader(tables, indexes);
        const o = getCart(r, p['id']!);
        return [template, outcome(o, started, r.ms)];
      }
    }
    const db = new Db(tables);
    switch (name) {
      case 'createCart':
        return [template, outcome(await createCart(db), started, db.ms)];
      case 'addCartItem': {
        const raw = await readBody(request);
        const parsed =
          raw === null
            ? ({ ok: false, message: MESSAGES.bodyNotObject } as const)
            : parseAddItemRequest(request.headers.get('content-type'), raw);
        if (!parsed.ok) return [template, fail(errors.badRequest(parsed.message), started)];
        return [template, outcome(await addItem(db, p['id']!, parsed.value), started, db.ms)];
      }
      case 'checkout':
        return [template, outcome(await checkout(db, p['id']!), started, db.ms)];
      case 'reset': {
        if (!tokenMatches(token, request.headers.get('x-lab-token'))) {
          return [template, fail(errors.unauthorized(), started)];
        }
        const t0 = performance.now();
        await resetData(tables);
        const dbMs = performance.now() - t0;
        return [
          template,
          {
            status: 204,
            headers: { 'server-timing': serverTiming(performance.now() - started, dbMs), ...CORS_HEADERS },
          },
        ];
      }
    }
  }

  return async (request) => {
    const started = performance.now();
    let routeLabel = 'unmatched';
    let response: HarperResponse;
    try {
      [routeLabel, response] = await route(request, started);
    } catch (e) {
      logger.error('lab harper: request failed', request.method, request.url, e);
      response = json(
        500,
        JSON.stringify({ error: { code: 'internal', message: 'internal error' } }),
        started,
      );
    }
    metrics.observe(routeLabel, request.method, response.status, (performance.now() - started) / 1000);
    return response;
  };
}
