import { type Dataset, generateDataset, ratingAverage, tokenize } from '@lab/contract';
import { log } from '../config.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

/** Seeding and reset take this transaction-level advisory lock, so two app instances never seed at once. */
const SEED_LOCK = 4_000_001;

/** Rows per createMany call: bounded memory per statement batch (Prisma splits further by bind-parameter limit). */
const CHUNK = 20_000;

export interface SeedReport {
  seeded: boolean;
  seed: number;
  scale: number;
  products: number;
  reviews: number;
  /** Wall time of generateDataset + the database writes. */
  ms: number;
  generateMs: number;
  writeMs: number;
}

/** The product rows the schema stores: dataset product + its price + review aggregates + name tokens. */
export function productRows(ds: Dataset): Prisma.ProductCreateManyInput[] {
  const count = new Int32Array(ds.products.length + 1);
  const sum = new Int32Array(ds.products.length + 1);
  for (const r of ds.reviews) {
    count[r.productId]! += 1;
    sum[r.productId]! += r.rating;
  }
  return ds.products.map((p, i) => {
    const price = ds.prices[i]!;
    if (price.productId !== p.id) throw new Error(`dataset prices are not in product order at ${p.id}`);
    const c = count[p.id]!;
    const s = sum[p.id]!;
    return {
      id: p.id,
      categoryId: p.categoryId,
      name: p.name,
      description: p.description,
      image: p.image,
      priceAmount: price.amount,
      priceCompareAt: price.compareAt,
      currency: price.currency,
      reviewCount: c,
      ratingSum: s,
      // The contract's own rounding (ratingAverage has two decimals): hundredths as an exact integer sort key.
      ratingAvgX100: Math.round(ratingAverage(s, c) * 100),
      nameTokens: [...new Set(tokenize(p.name))],
    };
  });
}

async function inChunks<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

/** Writes a whole dataset into empty tables with Prisma's createMany (multi-row INSERTs). */
async function writeDataset(tx: Prisma.TransactionClient, ds: Dataset): Promise<void> {
  const perCategory = new Map<number, number>();
  for (const p of ds.products) perCategory.set(p.categoryId, (perCategory.get(p.categoryId) ?? 0) + 1);
  await tx.category.createMany({
    data: ds.categories.map((c) => ({
      id: c.id,
      slug: c.slug,
      name: c.name,
      productCount: perCategory.get(c.id) ?? 0,
    })),
  });
  await inChunks(productRows(ds), (data) => tx.product.createMany({ data }));
  await inChunks(ds.inventory, (rows) =>
    tx.inventory.createMany({
      data: rows.map((i) => ({
        productId: i.productId,
        available: i.available,
        initialAvailable: i.available,
      })),
    }),
  );
  await inChunks(ds.reviews, (rows) =>
    tx.review.createMany({
      data: rows.map((r) => ({
        id: r.id,
        productId: r.productId,
        rating: r.rating,
        title: r.title,
        body: r.body,
        author: r.author,
        createdAt: new Date(r.createdAt),
      })),
    }),
  );
}

/**
 * Seeds the database from generateDataset({seed, scale}) unless it already holds exactly that dataset (the
 * lab_dataset row). Everything happens in one transaction: a crash half-way leaves the previous state, and the
 * next start tries again. A different seed or scale replaces the whole catalog (and drops carts and orders).
 */
export async function ensureSeeded(prisma: PrismaClient, seed: number, scale: number): Promise<SeedReport> {
  const t0 = performance.now();
  const current = await prisma.datasetInfo.findUnique({ where: { id: 1 } });
  const base = { seed, scale, generateMs: 0, writeMs: 0 };
  if (current && current.seed === BigInt(seed) && current.scale === scale) {
    return {
      ...base,
      seeded: false,
      products: current.products,
      reviews: current.reviews,
      ms: performance.now() - t0,
    };
  }
  log('warn', `seeding the database: seed ${seed}, scale ${scale} (${current ? 'replacing' : 'empty'})`);
  const ds = generateDataset({ seed, scale });
  const t1 = performance.now();
  await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEED_LOCK})`;
      // Raw: TRUNCATE has no Prisma equivalent (deleteMany is a row-by-row DELETE), and it is what empties
      // a million-row table in milliseconds.
      await tx.$executeRawUnsafe(
        'TRUNCATE order_items, orders, cart_items, carts, reviews, inventory, products, categories, lab_dataset RESTART IDENTITY',
      );
      await writeDataset(tx, ds);
      await tx.datasetInfo.create({
        data: {
          id: 1,
          seed: BigInt(seed),
          scale,
          products: ds.products.length,
          reviews: ds.reviews.length,
          durationMs: Math.round(performance.now() - t0),
        },
      });
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
  const t2 = performance.now();
  // Fresh statistics for the planner right away (autovacuum would get there, later).
  await prisma.$executeRawUnsafe('ANALYZE categories, products, inventory, reviews');
  const report: SeedReport = {
    ...base,
    seeded: true,
    products: ds.products.length,
    reviews: ds.reviews.length,
    generateMs: t1 - t0,
    writeMs: t2 - t1,
    ms: performance.now() - t0,
  };
  log(
    'warn',
    `seeded ${report.products} products and ${report.reviews} reviews in ${(report.ms / 1000).toFixed(1)} s ` +
      `(generate ${(report.generateMs / 1000).toFixed(1)} s, write ${(report.writeMs / 1000).toFixed(1)} s)`,
  );
  return report;
}

/**
 * POST /api/admin/reset: stock back to the dataset's and no carts or orders, in one transaction. Not a reseed:
 * only rows whose stock changed are written. Both statements are raw SQL because Prisma cannot express them:
 * updateMany cannot set a column from another column (available = initial_available), and TRUNCATE empties the
 * cart and order tables at once instead of deleting row by row with cascades.
 */
export async function resetState(prisma: PrismaClient): Promise<void> {
  await prisma.$transaction([
    prisma.$executeRaw`SELECT pg_advisory_xact_lock(${SEED_LOCK})`,
    prisma.$executeRaw`UPDATE inventory SET available = initial_available WHERE available <> initial_available`,
    prisma.$executeRaw`TRUNCATE order_items, orders, cart_items, carts`,
  ]);
}
