import { timingSafeEqual } from 'node:crypto';
import {
  ContractError,
  errors,
  JSON_CONTENT_TYPE,
  MESSAGES,
  matchRoute,
  splitTarget,
  unmatchedRoute,
} from '@lab/contract';
import { serverTiming } from '@lab/contract/metrics';
import { CORS_HEADERS, preflight, type WebResponse, webAsset, webPaths } from '@lab/web';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { type ProcessConfig, type ServiceName, TARGET } from '../lib/config.js';
import { createApp, errorReply, rawQuery, type ServerParts } from '../lib/http.js';
import {
  categoryPageSchema,
  homeSchema,
  productDetailSchema,
  response200,
  searchResultSchema,
} from '../lib/schemas.js';
import { Hops, makeUpstreams, upstreamHistogram } from '../lib/upstream.js';
import { type Page, Pages } from './pages.js';
import { httpPorts, type Ports, RESET_TIMEOUT_MS } from './ports.js';

const SERVICE_NAMES: readonly ServiceName[] = ['catalog', 'pricing', 'inventory', 'reviews', 'orders'];

interface BffRoute {
  method: 'GET' | 'POST';
  url: string;
  template: string;
  schema?: FastifySchema;
  /** POST routes whose body the contract ignores: their content-type is not looked at. */
  ignoreBody?: boolean;
  /** This route's deadline for all its upstream calls, when not the pages' (cfg.upstream.timeoutMs). */
  timeoutMs?: number;
  run: (request: FastifyRequest, hops: Hops) => Promise<Page>;
}

export interface Bff extends ServerParts {
  close(): Promise<void>;
}

/** What the BFF composes pages from: the services behind their ports, however they are reached. */
export interface Backend {
  ports: Ports;
  /** Resolves when every service can serve; rejects with the contract error naming one that cannot. */
  health(h: Hops): Promise<void>;
  close(): Promise<void>;
}

/** The services over HTTP: one undici Pool per service, latency in bff_upstream_duration_seconds. */
export function httpBackend(cfg: ProcessConfig, parts: ServerParts): Backend {
  const histogram = upstreamHistogram(parts.metrics.registry, 'bff_upstream_duration_seconds');
  const upstreams = makeUpstreams(SERVICE_NAMES, cfg.urls, cfg.upstream, histogram);
  return {
    ports: httpPorts(upstreams),
    health: async (hops) => {
      await Promise.all(
        SERVICE_NAMES.map(async (s) => {
          const r = await upstreams[s].call('/health', { hops });
          if (r.status !== 200) throw new ContractError(errors.serviceUnavailable(s));
        }),
      );
    },
    close: async () => {
      await Promise.all(SERVICE_NAMES.map((s) => upstreams[s].close()));
    },
  };
}

export interface BffOptions {
  /** The target named by /health and the metrics (micro's TARGET unless composed into another target). */
  target?: string;
  backend?: (cfg: ProcessConfig, parts: ServerParts) => Backend | Promise<Backend>;
}

function send(reply: FastifyReply, page: Page, hops: Hops): FastifyReply {
  reply.header('server-timing', serverTiming(reply.elapsedTime) + hops.header());
  reply.code(page.status);
  if (page.status === 204) return reply.send();
  reply.type(JSON_CONTENT_TYPE);
  if (page.text !== undefined) return reply.send(page.text);
  // 200 bodies go through the route's response schema (fast-json-stringify); errors are small strings.
  return reply.send(page.status === 200 ? page.body : JSON.stringify(page.body));
}

/**
 * The BFF: the whole contract on one port, composed from the five services (over HTTP by default: httpBackend).
 * It owns no data. Routes are Fastify routes; composition lives in Pages (plain functions).
 */
export async function createBff(cfg: ProcessConfig, opts: BffOptions = {}): Promise<Bff> {
  const target = opts.target ?? TARGET;
  const healthy = JSON.stringify({ status: 'ok', target });
  const parts = createApp(cfg, { bodyLimit: 64 * 1024, errorHandler: false, target });
  const { app } = parts;
  const backend = await (opts.backend ?? httpBackend)(cfg, parts);
  const pages = new Pages(backend.ports);
  const token = Buffer.from(cfg.lab.adminToken);

  // Bodies are read as text and validated by the contract's own parser (content-type, JSON, fields), so a
  // 400 is byte-identical to every other target's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  // find-my-way decodes percent-encoded characters in static segments (/api/hom%65 is /api/home to it); the
  // contract matches static segments literally. So paths with a "%" and requests Fastify routes nowhere go
  // through the contract's matcher: 405 with an allow header on a known path, else 404. OPTIONS is left to the
  // preflight route below.
  app.addHook('onRequest', (request, reply, done) => {
    // The storefront's cross-origin calls (@lab/web): every BFF answer allows any origin and exposes server-timing.
    reply.headers(CORS_HEADERS);
    const { path } = splitTarget(request.url);
    if (
      request.method !== 'OPTIONS' &&
      (request.is404 || path.includes('%')) &&
      !matchRoute(request.method, path)
    ) {
      const u = unmatchedRoute(path);
      if (u.allow) reply.header('allow', u.allow);
      send(reply, u, new Hops());
      return;
    }
    done();
  });

  const param = (r: FastifyRequest, name: string) => (r.params as Record<string, string>)[name]!;
  const routes: BffRoute[] = [
    {
      method: 'GET',
      url: '/api/home',
      template: '/api/home',
      schema: response200(homeSchema),
      run: (_r, h) => pages.home(h),
    },
    {
      method: 'GET',
      url: '/api/categories/:slug/products',
      template: '/api/categories/{slug}/products',
      schema: response200(categoryPageSchema),
      run: (r, h) => pages.categoryProducts(param(r, 'slug'), rawQuery(r.url), h),
    },
    {
      method: 'GET',
      url: '/api/products/:id',
      template: '/api/products/{id}',
      schema: response200(productDetailSchema),
      run: (r, h) => pages.product(param(r, 'id'), h),
    },
    {
      method: 'GET',
      url: '/api/search',
      template: '/api/search',
      schema: response200(searchResultSchema),
      run: (r, h) => pages.search(rawQuery(r.url), h),
    },
    {
      method: 'POST',
      url: '/api/carts',
      template: '/api/carts',
      ignoreBody: true,
      run: (_r, h) => pages.createCart(h),
    },
    {
      method: 'GET',
      url: '/api/carts/:id',
      template: '/api/carts/{id}',
      run: (r, h) => pages.getCart(param(r, 'id'), h),
    },
    {
      method: 'POST',
      url: '/api/carts/:id/items',
      template: '/api/carts/{id}/items',
      run: (r, h) =>
        pages.addItem(param(r, 'id'), r.headers['content-type'], typeof r.body === 'string' ? r.body : '', h),
    },
    {
      method: 'POST',
      url: '/api/carts/:id/checkout',
      template: '/api/carts/{id}/checkout',
      ignoreBody: true,
      run: (r, h) => pages.checkout(param(r, 'id'), h),
    },
    {
      method: 'POST',
      url: '/api/admin/reset',
      template: '/api/admin/reset',
      ignoreBody: true,
      timeoutMs: RESET_TIMEOUT_MS,
      run: async (r, h) => {
        const given = r.headers['x-lab-token'];
        const b = typeof given === 'string' ? Buffer.from(given) : null;
        if (!b || b.length !== token.length || !timingSafeEqual(b, token)) {
          return { status: 401, body: errors.unauthorized().body };
        }
        return pages.reset(cfg.lab.adminToken, h);
      },
    },
  ];

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      config: { route: route.template },
      ...(route.schema ? { schema: route.schema } : {}),
      ...(route.ignoreBody
        ? {
            // The contract ignores these bodies: drop the content-type so that no parser (and no 415) applies.
            onRequest: (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
              delete request.raw.headers['content-type'];
              done();
            },
          }
        : {}),
      handler: async (request, reply) => {
        // One deadline for the whole page: every upstream call made for it shares it.
        const hops = new Hops(
          performance.now() - reply.elapsedTime + (route.timeoutMs ?? cfg.upstream.timeoutMs),
        );
        try {
          return send(reply, await route.run(request, hops), hops);
        } catch (e) {
          return send(reply, errorPage(cfg, e, request), hops);
        } finally {
          hops.done();
        }
      },
    });
  }

  app.get('/health', { config: { route: '/health' } }, async (_request, reply) => {
    const hops = new Hops();
    try {
      await backend.health(hops);
      return send(reply, { status: 200, text: healthy }, hops);
    } catch (e) {
      return send(reply, errorPage(cfg, e, _request), hops);
    }
  });

  app.setErrorHandler((error, request, reply) => send(reply, errorPage(cfg, error, request), new Hops()));

  // The storefront (@lab/web): GET/HEAD of / and of each built file, as routes of their own (the API routes are
  // untouched); OPTIONS on a contract path is a CORS preflight, any other OPTIONS the contract's 404.
  const sendWeb = (reply: FastifyReply, w: WebResponse) =>
    reply.code(w.status).headers(w.headers).send(w.body);
  for (const path of webPaths()) {
    app.route({
      method: ['GET', 'HEAD'],
      url: path,
      handler: async (request, reply) => sendWeb(reply, webAsset(request.method, path)!),
    });
  }
  app.options('/*', async (request, reply) => {
    const w = preflight('OPTIONS', splitTarget(request.url).path);
    if (w) return sendWeb(reply, w);
    return send(reply, { status: 404, body: errors.routeNotFound().body }, new Hops());
  });

  return { ...parts, close: () => backend.close() };
}

function errorPage(cfg: ProcessConfig, e: unknown, request: FastifyRequest): Page {
  // An unparseable content-type header on the add-item route: the contract's content-type 400.
  if ((e as { code?: string }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 400, body: errors.badRequest(MESSAGES.contentType).body };
  }
  const r = errorReply(cfg, e, request);
  return { status: r.status, body: r.body };
}
