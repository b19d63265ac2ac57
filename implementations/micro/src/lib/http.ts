import { answerClientError, ContractError, errors, JSON_CONTENT_TYPE, MESSAGES } from '@lab/contract';
import { HttpMetrics, serverTiming } from '@lab/contract/metrics';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchema,
  LogController,
} from 'fastify';
import { type ProcessConfig, TARGET } from './config.js';
import { deadlineOf } from './upstream.js';

export const NOT_FOUND_BODY = JSON.stringify(errors.routeNotFound().body);

/** What a service handler returns: a status and a body (object serialised by the route's schema, or a string). */
export interface Reply {
  status: number;
  body?: unknown;
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });
export const fail = (e: { status: number; body: unknown }): Reply => ({ status: e.status, body: e.body });
export const noContent: Reply = { status: 204 };

/** Route input, independent of Fastify: handlers are plain functions over it. */
export interface RouteInput {
  params: Record<string, string>;
  /** Raw query string (after "?", without it). */
  query: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** When the caller stops waiting (performance.now() time), from its x-timeout-ms header. */
  deadline: number | undefined;
  /** The caller's x-timeout-ms (for the message of a 504), 0 when absent. */
  budgetMs: number;
}

export interface RouteDef {
  method: 'GET' | 'POST';
  url: string;
  handler: (input: RouteInput) => Promise<Reply>;
  /** Response schema for 200/201 bodies (fast-json-stringify), where it pays. */
  schema?: FastifySchema;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Metrics label: the route template. */
    route?: string;
  }
}

export function rawQuery(url: string): string {
  const i = url.indexOf('?');
  return i === -1 ? '' : url.slice(i + 1);
}

export interface ServerParts {
  app: FastifyInstance;
  metrics: HttpMetrics;
}

/**
 * The Fastify instance every process of the target shares: logging at LOG_LEVEL (default warn) and no
 * per-request log lines, keep-alive longer than the callers' pools, /metrics with the lab's HttpMetrics
 * (target "micro", service = the process name), 404 route_not_found for anything unknown, and an error
 * handler that never sends a 500 or a stack trace.
 */
export function createApp(
  cfg: ProcessConfig,
  opts: { bodyLimit?: number; errorHandler?: boolean; target?: string } = {},
): ServerParts {
  const app = Fastify({
    logger: { level: cfg.logLevel },
    logController: new LogController({ disableRequestLogging: true }),
    keepAliveTimeout: 65_000,
    exposeHeadRoutes: false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    // A longer parameter would be find-my-way's bare 404 route-not-found; the contract answers "category/cart/
    // product not found" for any value. Node caps the whole request head at 16 KiB anyway.
    routerOptions: { maxParamLength: 16 * 1024 },
    return503OnClosing: true,
    // Malformed HTTP: the contract's JSON 400, not Fastify's own JSON shape.
    clientErrorHandler: answerClientError,
    // A path that is not valid percent-encoding names no route (contract: 404 route_not_found).
    frameworkErrors: (_error, _request, reply) => {
      sendNotFound(reply as unknown as FastifyReply);
    },
  });
  const metrics = new HttpMetrics(opts.target ?? TARGET, cfg.name);

  app.addHook('onResponse', (request, reply, done) => {
    metrics.observe(
      request.routeOptions.config.route ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.get('/metrics', { config: { route: '/metrics' } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    reply.type(metrics.registry.contentType);
    return text;
  });

  app.setNotFoundHandler((_request, reply) => sendNotFound(reply));

  if (opts.errorHandler !== false)
    app.setErrorHandler((error, request, reply) => sendError(cfg, error, request, reply));
  return { app, metrics };
}

function sendNotFound(reply: FastifyReply): void {
  reply
    .code(404)
    .header('server-timing', serverTiming(reply.elapsedTime))
    .type(JSON_CONTENT_TYPE)
    .send(NOT_FOUND_BODY);
}

/** Maps any error to a contract error body. Exported for the BFF, which adds server-timing. */
export function errorReply(cfg: ProcessConfig, error: unknown, request: FastifyRequest): Reply {
  if (error instanceof ContractError) return { status: error.status, body: error.body };
  const code = (error as { code?: string }).code;
  // Body parsing failures (too large, bad JSON, bad length): the contract's 400 for a body that is not an object.
  if (typeof code === 'string' && code.startsWith('FST_ERR_CTP'))
    return fail(errors.badRequest(MESSAGES.bodyNotObject));
  request.log.error({ err: error }, 'unexpected error');
  return fail(errors.serviceUnavailable(cfg.name));
}

function sendError(cfg: ProcessConfig, error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const r = errorReply(cfg, error, request);
  reply
    .code(r.status)
    .header('server-timing', serverTiming(reply.elapsedTime))
    .type(JSON_CONTENT_TYPE)
    .send(JSON.stringify(r.body));
}

/** Binds plain handlers to Fastify routes (internal service APIs). */
export function mountRoutes(cfg: ProcessConfig, app: FastifyInstance, routes: readonly RouteDef[]): void {
  for (const r of routes) {
    app.route({
      method: r.method,
      url: r.url,
      config: { route: r.url },
      ...(r.schema ? { schema: r.schema } : {}),
      handler: async (request, reply) => {
        const arrived = performance.now() - reply.elapsedTime;
        const deadline = deadlineOf(request.headers, arrived);
        const budgetMs = deadline === undefined ? 0 : Math.round(deadline - arrived);
        // The caller has given up already (the request waited in our queue): do no work for it.
        if (deadline !== undefined && performance.now() >= deadline) {
          reply.code(504).type(JSON_CONTENT_TYPE);
          return reply.send(JSON.stringify(errors.upstreamTimeout(cfg.name, budgetMs).body));
        }
        const out = await r.handler({
          params: request.params as Record<string, string>,
          query: rawQuery(request.url),
          body: request.body,
          headers: request.headers,
          deadline,
          budgetMs,
        });
        reply.code(out.status);
        if (out.body === undefined) return reply.send();
        reply.type(JSON_CONTENT_TYPE);
        return reply.send(out.body);
      },
    });
  }
}

/** Listens, and exits 0 promptly on SIGTERM/SIGINT after closing the server and `cleanup`. */
export async function listenAndServe(
  cfg: ProcessConfig,
  app: FastifyInstance,
  cleanup: () => Promise<void>,
  banner: string,
): Promise<void> {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(0), 3000).unref();
    app
      .close()
      .then(cleanup)
      .catch((e: unknown) => process.stderr.write(`micro-${cfg.name}: ${signal}: ${(e as Error).message}\n`))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const address = await app.listen({ host: cfg.host, port: cfg.port });
  process.stdout.write(`micro-${cfg.name} listening on ${address} (${banner})\n`);
}
