import { type Dataset, generateDataset, ratingAverage, tokenize } from '@lab/contract';
import { log } from '../config.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

/** Seeding and reset take this transaction-level advisory lock, so two app instances never seed at once. */
const SEED_LOCK = 4_000_001;

/** Rows per bulk INSERT statement: bounds the transient memory of each statement's array parameters. */
const CHUNK = 10_000;

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

/** Review count and rating sum per product id (typed arrays: a few hundred KB even at scale 100). */
export function reviewAggregates(ds: Dataset): { count: Int32Array; sum: Int32Array } {
  const count = new Int32Array(ds.products.length + 1);
  const sum = new Int32Array(ds.products.length + 1);
  for (const r of ds.reviews) {
    count[r.productId]! += 1;
    sum[r.productId]! += r.rating;
  }
  return { count, sum };
}

/** The product rows the schema stores: dataset product + its price + review aggregates + name tokens. */
export function productRows(
  ds: Dataset,
  agg: { count: Int32Array; sum: Int32Array },
  start = 0,
  end = ds.products.length,
): Prisma.ProductCreateManyInput[] {
  return ds.products.slice(start, end).map((p, i) => {
    const price = ds.prices[start + i]!;
    if (price.productId !== p.id) throw new Error(`dataset prices are not in product order at ${p.id}`);
    const c = agg.count[p.id]!;
    const s = agg.sum[p.id]!;
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

/** [start, end) ranges of CHUNK rows. */
function* ranges(length: number): Generator<[number, number]> {
  for (let i = 0; i < length; i += CHUNK) yield [i, Math.min(i + CHUNK, length)];
}

/**
 * Writes a whole dataset into empty tables. Categories (a dozen rows) go through createMany. The three big
 * tables are raw `INSERT ... SELECT FROM unnest($1::int[], ...)`: one statement and one array parameter per
 * column for CHUNK rows. Prisma's createMany was measured at ~300 µs of Node CPU per row (its query
 * interpreter builds and maps every row's bind values: ~6 minutes for scale 100's 1.1 M rows); unnest moves the
 * same rows in a few seconds of PostgreSQL time (docs/implementations/mono.md, "Seeding").
 */
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
  const agg = reviewAggregates(ds);
  for (const [start, end] of ranges(ds.products.length)) {
    const rows = productRows(ds, agg, start, end);
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
    // name_tokens travels as one space-joined string per row (tokens are [a-z0-9]+): unnest cannot carry
    // one array per row.
    const tokens = rows.map((r) => (r.nameTokens as string[]).join(' '));
    await tx.$executeRaw`
      INSERT INTO products (id, category_id, name, description, image, price_amount, price_compare_at, currency,
                            review_count, rating_sum, rating_avg_x100, name_tokens)
      SELECT id, category_id, name, description, image, price_amount, price_compare_at, currency,
             review_count, rating_sum, rating_avg_x100, string_to_array(tokens, ' ')
      FROM unnest(${col('id')}::int[], ${col('categoryId')}::int[], ${col('name')}::text[],
                  ${col('description')}::text[], ${col('image')}::text[], ${col('priceAmount')}::int[],
                  ${col('priceCompareAt')}::int[], ${col('currency')}::text[], ${col('reviewCount')}::int[],
                  ${col('ratingSum')}::int[], ${col('ratingAvgX100')}::int[], ${tokens}::text[])
        AS t(id, category_id, name, description, image, price_amount, price_compare_at, currency,
             review_count, rating_sum, rating_avg_x100, tokens)`;
  }
  for (const [start, end] of ranges(ds.inventory.length)) {
    const rows = ds.inventory.slice(start, end);
    const ids = rows.map((r) => r.productId);
    const available = rows.map((r) => r.available);
    await tx.$executeRaw`
      INSERT INTO inventory (product_id, available, initial_available)
      SELECT id, n, n FROM unnest(${ids}::int[], ${available}::int[]) AS t(id, n)`;
  }
  const reviews = ds.reviews as (Dataset['reviews'][number] | undefined)[];
  for (const [start, end] of ranges(reviews.length)) {
    const rows = reviews.slice(start, end) as Dataset['reviews'];
    await tx.$executeRaw`
      INSERT INTO reviews (id, product_id, rating, title, body, author, created_at)
      SELECT * FROM unnest(${rows.map((r) => r.id)}::int[], ${rows.map((r) => r.productId)}::int[],
                           ${rows.map((r) => r.rating)}::smallint[], ${rows.map((r) => r.title)}::text[],
                           ${rows.map((r) => r.body)}::text[], ${rows.map((r) => r.author)}::text[],
                           ${rows.map((r) => r.createdAt)}::timestamptz[])`;
    // Reviews are most of the dataset's heap: let each chunk go once written (the dataset is ours to consume).
    reviews.fill(undefined, start, end);
  }
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
  // Raw (no Prisma equivalent), outside the transaction: planner statistics, the visibility map and hint bits
  // right away. Without it the first reads of every freshly loaded page write hint bits, and a GIN count of a
  // common search word ran 68 ms instead of 11 ms (scale 100) until autovacuum came by.
  await prisma.$executeRawUnsafe('VACUUM (ANALYZE) categories, products, inventory, reviews');
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
