import { ContractError, errors } from '@lab/contract';
import {
  type Backend,
  type Bff,
  catalogService,
  connectStore,
  createBff,
  inventoryService,
  ordersService,
  pricingService,
  type ProcessConfig,
  readConfig,
  reviewsService,
  type ServerParts,
  type ServiceFactory,
  type ServiceName,
  type Store,
} from '@lab/micro';
import { LocalService, type LocalServices, localOrdersBackend, localPorts } from './local.js';

export const TARGET = 'microlith';
export const DEFAULT_PORT = 3100;

export interface Microlith extends Bff {
  cfg: ProcessConfig;
  /** For the start-up line: the database server and what each service's start-up did. */
  banner: string;
}

/**
 * Every service exactly as its own micro process builds it (same factory, same database `lab_<service>`), on
 * one MongoClient, and a BFF whose ports call them in-process. The data services start one after the other (each
 * may seed, which holds a generated dataset in memory), orders last since its saga calls pricing and inventory.
 */
async function composeServices(
  env: NodeJS.ProcessEnv,
  store: Store,
  parts: ServerParts,
): Promise<{ services: LocalServices; banners: string[] }> {
  const factories: [ServiceName, ServiceFactory][] = [
    ['catalog', catalogService],
    ['pricing', pricingService],
    ['inventory', inventoryService],
    ['reviews', reviewsService],
  ];
  const services = {} as LocalServices;
  const banners: string[] = [];
  const log = (err: unknown) => parts.app.log.error({ err }, 'unexpected error');
  const start = async (name: ServiceName, factory: ServiceFactory) => {
    const cfg = readConfig(name, env);
    const own: Store = { ...store, db: store.client.db(cfg.mongo.db) };
    const p = await factory(cfg, own, parts.app);
    services[name] = new LocalService(name, p, log, cfg.upstream.timeoutMs);
    // A service without its own readiness probe is ready when its database answers (lib/service.ts does the same).
    p.ready ??= async () => (await own.db.command({ ping: 1 }))['ok'] === 1;
    banners.push(`${name} ${p.banner}`);
  };
  for (const [name, factory] of factories) await start(name, factory);
  await start(
    'orders',
    ordersService((cfg) => localOrdersBackend(services.pricing, services.inventory, cfg.lab.adminToken)),
  );
  return { services, banners };
}

/** Builds the whole target in this process (not listening yet). Throws ConfigError for a bad setting. */
export async function createMicrolith(env: NodeJS.ProcessEnv = process.env): Promise<Microlith> {
  const cfg = readConfig('bff', { PORT: String(DEFAULT_PORT), ...env });
  const store = await connectStore(cfg);
  let banner = '';
  try {
    const bff = await createBff(cfg, {
      target: TARGET,
      backend: async (_cfg, parts): Promise<Backend> => {
        const { services, banners } = await composeServices(env, store, parts);
        banner = `db ${store.server.description}, doc locks ${store.locks.enabled ? 'on' : 'off'}; ${banners.join('; ')}`;
        return {
          ports: localPorts(services),
          health: async () => {
            await Promise.all(
              Object.values(services).map(async (s) => {
                const up = await s.parts.ready!().catch(() => false);
                if (!up) throw new ContractError(errors.serviceUnavailable(s.name));
              }),
            );
          },
          close: async () => {
            await Promise.all(Object.values(services).map((s) => s.parts.close?.()));
            await store.client.close();
          },
        };
      },
    });
    return { ...bff, cfg, banner };
  } catch (e) {
    await store.client.close();
    throw e;
  }
}
