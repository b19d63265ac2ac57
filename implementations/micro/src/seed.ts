#!/usr/bin/env node
// One-shot seeding of every service's database from ONE generated dataset (the services seed themselves on
// first start too; this is for large scales, where generating the dataset in each 192 MiB service would not fit:
// scale 100 needs ~450 MB while generating). Same env as the services: MONGO_URL, LAB_SEED, LAB_SCALE,
// LAB_ADMIN_TOKEN, SEED_BATCH. Databases already seeded with the same seed/scale are left as they are.
import { type Dataset, generateDataset } from '@lab/contract';
import { COLLECTIONS as CATALOG, CatalogStore } from './catalog/store.js';
import { COLLECTIONS as INVENTORY, InventoryStore } from './inventory/store.js';
import { ConfigError, readConfig, type ServiceName } from './lib/config.js';
import { connectStore, seedIfNeeded } from './lib/mongo.js';
import { OrdersStore } from './orders/store.js';
import { COLLECTIONS as PRICING, PricingStore } from './pricing/store.js';
import { COLLECTIONS as REVIEWS, ReviewsStore } from './reviews/store.js';

async function main(): Promise<void> {
  const cfg = readConfig('bff');
  const store = await connectStore({ ...cfg, mongo: { ...cfg.mongo, db: 'admin' } });
  let dataset: Dataset | undefined;
  let genMs = 0;
  const get = () => {
    if (!dataset) {
      const t0 = performance.now();
      dataset = generateDataset({ seed: cfg.lab.seed, scale: cfg.lab.scale });
      genMs = Math.round(performance.now() - t0);
      process.stdout.write(`dataset seed ${cfg.lab.seed} scale ${cfg.lab.scale} generated in ${genMs} ms\n`);
    }
    return dataset;
  };
  const db = (s: ServiceName) => store.client.db(process.env[`MONGO_DB_${s.toUpperCase()}`] || `lab_${s}`);
  const batch = cfg.insertBatch;
  const jobs: [ServiceName, readonly string[], (d: Dataset) => Promise<void>, () => Promise<void>][] = [
    [
      'catalog',
      CATALOG,
      (d) => new CatalogStore(db('catalog')).load(d, batch),
      () => new CatalogStore(db('catalog')).ensureIndexes(),
    ],
    ['pricing', PRICING, (d) => new PricingStore(db('pricing')).load(d, batch), async () => {}],
    [
      'inventory',
      INVENTORY,
      (d) => new InventoryStore(db('inventory'), store.locks).load(d, batch),
      () => new InventoryStore(db('inventory'), store.locks).ensureIndexes(),
    ],
    [
      'reviews',
      REVIEWS,
      (d) => new ReviewsStore(db('reviews')).load(d, batch),
      () => new ReviewsStore(db('reviews')).ensureIndexes(),
    ],
  ];
  const t0 = performance.now();
  for (const [name, collections, load, indexes] of jobs) {
    const o = await seedIfNeeded(db(name), cfg.lab, collections, load, get);
    const ti = performance.now();
    await indexes();
    process.stdout.write(
      `${name}: ${o.seeded ? `loaded in ${o.ms} ms (incl. generation the first time)` : 'already seeded'}, ` +
        `indexes ${Math.round(performance.now() - ti)} ms\n`,
    );
  }
  const orders = new OrdersStore(db('orders'), store.locks, {
    pricing: null!,
    inventory: null!,
    log: console,
  });
  await orders.ensureIndexes();
  process.stdout.write(
    `all databases ready in ${Math.round(performance.now() - t0)} ms on ${store.server.description}\n`,
  );
  await store.client.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`micro-seed: ${e instanceof ConfigError ? e.message : (e as Error).stack}\n`);
  process.exit(1);
});
