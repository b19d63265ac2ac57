import { timingSafeEqual } from 'node:crypto';
import { errors, JSON_CONTENT_TYPE } from '@lab/contract';
import type { FastifyInstance } from 'fastify';
import { ConfigError, type ProcessConfig, readConfig, type ServiceName, TARGET } from './config.js';
import { createApp, fail, listenAndServe, mountRoutes, noContent, type RouteDef } from './http.js';
import { connectStore, type Store } from './mongo.js';

export interface ServiceParts {
  routes: RouteDef[];
  /** POST /internal/reset (after the x-lab-token check): restore the service's data to the dataset. */
  reset: () => Promise<void>;
  /** Extra text for the start-up line (seed figures). */
  banner: string;
  /** True when the service can serve (its database answers). */
  ready?: () => Promise<boolean>;
  close?: () => Promise<void>;
}

export type ServiceFactory = (
  cfg: ProcessConfig,
  store: Store,
  app: FastifyInstance,
) => Promise<ServiceParts>;

function fatal(name: string, message: string): never {
  process.stderr.write(`micro-${name}: ${message}\n`);
  process.exit(1);
}

/** The start-up of every data-owning service: config, MongoDB, seed/indexes (by the factory), HTTP. */
export async function runService(name: ServiceName, factory: ServiceFactory): Promise<void> {
  let cfg: ProcessConfig;
  try {
    cfg = readConfig(name);
  } catch (e) {
    if (e instanceof ConfigError) fatal(name, e.message);
    throw e;
  }
  try {
    const store = await connectStore(cfg);
    const { app } = createApp(cfg);
    const parts = await factory(cfg, store, app);
    const healthy = JSON.stringify({ status: 'ok', target: TARGET, service: name });
    app.get('/health', { config: { route: '/health' } }, async (_request, reply) => {
      let up: boolean;
      try {
        up = parts.ready ? await parts.ready() : (await store.db.command({ ping: 1 }))['ok'] === 1;
      } catch {
        up = false;
      }
      reply.code(up ? 200 : 503).type(JSON_CONTENT_TYPE);
      return up ? healthy : JSON.stringify({ status: 'unavailable', target: TARGET, service: name });
    });
    const token = Buffer.from(cfg.lab.adminToken);
    const reset: RouteDef = {
      method: 'POST',
      url: '/internal/reset',
      handler: async ({ headers }) => {
        if (!tokenMatches(headers['x-lab-token'], token)) return fail(errors.unauthorized());
        await parts.reset();
        return noContent;
      },
    };
    mountRoutes(cfg, app, [...parts.routes, reset]);
    await listenAndServe(
      cfg,
      app,
      async () => {
        await parts.close?.();
        await store.client.close();
      },
      `db ${cfg.mongo.db} on ${store.server.description}, doc locks ${store.locks.enabled ? 'on' : 'off'}; ${parts.banner}`,
    );
  } catch (e) {
    fatal(name, (e as Error).message);
  }
}

export function tokenMatches(given: string | string[] | undefined, expected: Buffer): boolean {
  if (typeof given !== 'string') return false;
  const b = Buffer.from(given);
  return b.length === expected.length && timingSafeEqual(b, expected);
}
