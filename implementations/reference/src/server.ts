import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  answerClientError,
  errors,
  JSON_CONTENT_TYPE,
  MESSAGES,
  matchRoute,
  type Oracle,
  type OracleResponse,
  parseCategoryQuery,
  parseProductId,
  parseSearchQuery,
  splitTarget,
  unmatchedRoute,
} from '@lab/contract';
import { HttpMetrics, serverTiming } from '@lab/contract/metrics';
import { CORS_HEADERS, preflight, type WebResponse, webAsset } from '@lab/web';
import { Views } from './views.js';

const MAX_BODY_BYTES = 64 * 1024;
const NOT_FOUND_BODY = Buffer.from(JSON.stringify(errors.routeNotFound().body));

export interface ReferenceServer {
  server: Server;
  metrics: HttpMetrics;
  views: Views;
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer | undefined,
  started: bigint,
  extra?: Record<string, string>,
): void {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const headers: Record<string, string | number> = {
    'server-timing': serverTiming(ms),
    ...CORS_HEADERS,
    ...extra,
  };
  if (body !== undefined) {
    headers['content-type'] = JSON_CONTENT_TYPE;
    headers['content-length'] = Buffer.byteLength(body);
  }
  res.writeHead(status, headers);
  res.end(body);
}

/** The storefront's files and CORS preflights (@lab/web): complete answers, precomputed. */
function sendWeb(res: ServerResponse, w: WebResponse): void {
  res.writeHead(w.status, w.headers);
  res.end(w.body);
}

function sendOracle(res: ServerResponse, r: OracleResponse, started: bigint): void {
  send(res, r.status, r.body === undefined ? undefined : JSON.stringify(r.body), started);
}

function sendUnmatched(res: ServerResponse, path: string, started: bigint): void {
  const u = unmatchedRoute(path);
  if (!u.allow) send(res, 404, NOT_FOUND_BODY, started);
  else send(res, u.status, JSON.stringify(u.body), started, { allow: u.allow });
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A plain node:http server over the oracle. Reads are served from pre-serialised views; writes go through the
 * oracle itself. Single process: the cart/order state lives in this heap (see docs/implementations/reference.md).
 */
export function createReferenceServer(oracle: Oracle): ReferenceServer {
  const views = new Views(oracle);
  const metrics = new HttpMetrics(oracle.target);
  const catalog = oracle.catalog;

  async function handle(req: IncomingMessage, res: ServerResponse, started: bigint): Promise<string> {
    const method = req.method ?? 'GET';
    const { path, query } = splitTarget(req.url ?? '/');
    const m = matchRoute(method, path);
    if (!m) {
      // Not an API route: the storefront (GET/HEAD of / and its files), a CORS preflight, else the contract's
      // 405 (a known path) or 404.
      const w = webAsset(method, path) ?? preflight(method, path);
      if (w) sendWeb(res, w);
      else sendUnmatched(res, path, started);
      return 'unmatched';
    }
    const route = m.route;
    switch (route.name) {
      case 'health':
        sendOracle(res, oracle.health(), started);
        break;
      case 'metrics': {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
        break;
      }
      case 'home':
        send(res, 200, views.homeBody(), started);
        break;
      case 'product': {
        const id = parseProductId(m.params['id']!);
        const body = id === null ? undefined : views.productBody(id);
        if (body) send(res, 200, body, started);
        else sendOracle(res, errors.productNotFound(), started);
        break;
      }
      case 'categoryProducts': {
        const q = parseCategoryQuery(query);
        if (!q.ok) {
          sendOracle(res, errors.badRequest(q.message), started);
          break;
        }
        const row = catalog.categoryBySlug.get(m.params['slug']!);
        if (!row) {
          sendOracle(res, errors.categoryNotFound(), started);
          break;
        }
        const ids = catalog.orders.get(row.id)![q.value.sort];
        send(res, 200, views.categoryPageBody(row.id, ids, q.value.page, q.value.pageSize), started);
        break;
      }
      case 'search': {
        const q = parseSearchQuery(query);
        if (!q.ok) {
          sendOracle(res, errors.badRequest(q.message), started);
          break;
        }
        send(res, 200, views.searchBody(q.value.q, catalog.search(q.value.tokens), q.value.limit), started);
        break;
      }
      case 'addCartItem': {
        const raw = await readBody(req);
        if (raw === null) sendOracle(res, errors.badRequest(MESSAGES.bodyNotObject), started);
        else sendOracle(res, oracle.addItem(m.params['id']!, req.headers['content-type'], raw), started);
        break;
      }
      case 'reset': {
        const token = req.headers['x-lab-token'];
        sendOracle(res, oracle.reset(typeof token === 'string' ? token : undefined), started);
        break;
      }
      default:
        // createCart, getCart, checkout: straight through the oracle; bodies are ignored.
        req.resume();
        sendOracle(res, oracle.handle({ method, url: path }), started);
    }
    return route.template;
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const started = process.hrtime.bigint();
    handle(req, res, started).then(
      (route) => {
        metrics.observe(
          route,
          req.method ?? 'GET',
          res.statusCode,
          Number(process.hrtime.bigint() - started) / 1e9,
        );
      },
      (err: unknown) => {
        // Only an I/O failure reaches here (a client that vanished mid-body); never a bad-input path.
        if (!res.headersSent) sendOracle(res, errors.badRequest(MESSAGES.bodyNotObject), started);
        else res.destroy(err as Error);
      },
    );
  });
  server.on('clientError', answerClientError);
  return { server, metrics, views };
}
