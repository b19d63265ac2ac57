import { type Dataset, generateDataset, type ReviewRow, tokenize } from '@lab/contract';
import { productKeys, reviewOrderKey, searchWordKey } from './keys.js';
import type { InventoryRecord, MetaRecord, ProductRecord, Tables } from './tables.js';

// Loading the dataset (first start, or a data dir holding another seed/scale) and resetting it (POST
// /api/admin/reset). Writes go through Harper's table API in bulk: CHUNK records per transaction (one LMDB write
// transaction each), several transactions in flight at once so that encoding the next chunk overlaps the commit
// of the previous one.

const CHUNK = 2_000;
const IN_FLIGHT = 4;
const META_ID = 'dataset';
/** Bumped whenever what the loader writes changes: a data dir loaded by another version is loaded again. */
const LOADER_VERSION = 2;

async function bulkPut<R>(table: HarperTable<R>, rows: Iterable<R>): Promise<number> {
  let n = 0;
  let chunk: R[] = [];
  let failure: { error: unknown } | undefined;
  const inFlight = new Set<Promise<void>>();
  const flush = async (rowsToWrite: R[]) => {
    const ctx: HarperContext = {};
    const p: Promise<void> = transaction(ctx, () => {
      for (const r of rowsToWrite) void table.put(r, ctx);
    }).then(
      () => void inFlight.delete(p),
      (error: unknown) => {
        inFlight.delete(p);
        failure ??= { error };
      },
    );
    inFlight.add(p);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    if (failure) throw failure.error;
  };
  for (const r of rows) {
    chunk.push(r);
    n++;
    if (chunk.length === CHUNK) {
      await flush(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) await flush(chunk);
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return n;
}

/** Deletes every record of a table through Harper's delete, in chunked transactions. */
export async function clearTable<R>(table: HarperTable<R>): Promise<number> {
  // The primary store's keys list the records without decoding them (Harper's search would load each one).
  const ids: (number | string)[] = [];
  for (const key of table.primaryStore.getKeys({})) {
    if (typeof key === 'number' || typeof key === 'string') ids.push(key);
  }
  for (let i = 0; i < ids.length; i += CHUNK) {
    const slice = ids.slice(i, i + CHUNK);
    const ctx: HarperContext = {};
    await transaction(ctx, () => {
      for (const id of slice) void table.delete(id, ctx);
    });
  }
  return ids.length;
}

function* productRows(d: Dataset): Generator<ProductRecord> {
  const reviewCount = new Map<number, number>();
  const ratingSum = new Map<number, number>();
  for (const r of d.reviews) {
    reviewCount.set(r.productId, (reviewCount.get(r.productId) ?? 0) + 1);
    ratingSum.set(r.productId, (ratingSum.get(r.productId) ?? 0) + r.rating);
  }
  const prices = new Map(d.prices.map((p) => [p.productId, p]));
  for (const p of d.products) {
    const count = reviewCount.get(p.id) ?? 0;
    const sum = ratingSum.get(p.id) ?? 0;
    const price = prices.get(p.id);
    if (!price) throw new Error(`product ${p.id} has no price`);
    const keys = productKeys({
      id: p.id,
      categoryId: p.categoryId,
      amount: price.amount,
      reviewCount: count,
      ratingSum: sum,
    });
    yield {
      id: p.id,
      categoryId: p.categoryId,
      name: p.name,
      description: p.description,
      image: p.image,
      reviewCount: count,
      ratingSum: sum,
      priceAmount: price.amount,
      priceCurrency: price.currency,
      priceCompareAt: price.compareAt,
      searchWords: [...new Set(tokenize(p.name))].map((w) => searchWordKey(w, keys.popularKey)),
      ...keys,
    };
  }
}

function* reviewRows(reviews: readonly ReviewRow[]) {
  for (const r of reviews) yield { ...r, productOrder: reviewOrderKey(r.productId, r.createdAt, r.id) };
}

export interface SeedReport {
  seeded: boolean;
  ms: number;
  rows: Record<string, number>;
}

async function getMeta(t: Tables): Promise<MetaRecord | undefined> {
  const ctx: HarperContext = {};
  return (await transaction(ctx, () => t.Meta.get(META_ID, ctx))) ?? undefined;
}

/** True once a complete dataset with this seed and scale is loaded. */
export async function isSeeded(t: Tables, seed: number, scale: number): Promise<boolean> {
  const m = await getMeta(t);
  return !!m && m.complete === true && m.seed === seed && m.scale === scale && m.loader === LOADER_VERSION;
}

/**
 * Loads the dataset unless it is already there. A data dir holding an incomplete load, another seed/scale or
 * another loader version is emptied first. Returns what was done, with timings, for the startup log.
 */
export async function seedIfNeeded(t: Tables, seed: number, scale: number): Promise<SeedReport> {
  const t0 = performance.now();
  if (await isSeeded(t, seed, scale)) return { seeded: false, ms: performance.now() - t0, rows: {} };
  const rows: Record<string, number> = {};
  // Unfinished or different data: start from empty tables.
  await bulkPut(t.Meta, [{ id: META_ID, seed, scale, loader: LOADER_VERSION, complete: false }]);
  rows['cleared'] =
    (await clearTable(t.Review)) +
    (await clearTable(t.Product)) +
    (await clearTable(t.Price)) +
    (await clearTable(t.Inventory)) +
    (await clearTable(t.Category)) +
    (await clearTable(t.Cart)) +
    (await clearTable(t.Order));
  const tg = performance.now();
  const d = generateDataset({ seed, scale });
  rows['generateMs'] = Math.round(performance.now() - tg);
  const productCount = new Map<number, number>();
  for (const p of d.products) productCount.set(p.categoryId, (productCount.get(p.categoryId) ?? 0) + 1);
  rows['categories'] = await bulkPut(
    t.Category,
    d.categories.map((c) => ({
      id: c.id,
      slug: c.slug,
      name: c.name,
      productCount: productCount.get(c.id) ?? 0,
    })),
  );
  rows['products'] = await bulkPut(t.Product, productRows(d));
  rows['prices'] = await bulkPut(t.Price, d.prices);
  rows['inventory'] = await bulkPut(
    t.Inventory,
    d.inventory.map((i) => ({ productId: i.productId, available: i.available, initial: i.available })),
  );
  rows['reviews'] = await bulkPut(t.Review, reviewRows(d.reviews));
  await bulkPut(t.Meta, [{ id: META_ID, seed, scale, loader: LOADER_VERSION, complete: true }]);
  return { seeded: true, ms: performance.now() - t0, rows };
}

/**
 * POST /api/admin/reset: every product's stock back to the dataset's value (kept beside it at seed time as
 * Inventory.initial; only rows that differ are written) and every cart and order deleted.
 */
export async function resetData(t: Tables): Promise<{ restocked: number; carts: number; orders: number }> {
  const changed: InventoryRecord[] = [];
  for (const { value } of t.Inventory.primaryStore.getRange({})) {
    const r = value as InventoryRecord | null;
    if (r && typeof r.productId === 'number' && r.available !== r.initial) {
      changed.push({ productId: r.productId, available: r.initial, initial: r.initial });
    }
  }
  const restocked = await bulkPut(t.Inventory, changed);
  return { restocked, carts: await clearTable(t.Cart), orders: await clearTable(t.Order) };
}
