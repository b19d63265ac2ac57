import {
  type Category,
  type CategoryQuery,
  compareCategoriesByName,
  FEATURED_COUNT,
  PRODUCT_PAGE_REVIEWS,
  type ProductCard,
  type SearchQuery,
  shape,
} from '@lab/contract';
import type { Db } from './db.js';
import { categoryRange, reviewPrefix, SORT_ATTRIBUTE } from './keys.js';
import type { CategoryRecord, InventoryRecord, PriceRecord, ProductRecord } from './tables.js';

// The read paths. Every query is an index lookup or an index range scan in contract order (see keys.ts), and
// per-product data (price, stock) is read by primary key: no table scan and no in-memory sort of a category.

function priceOf(p: PriceRecord): { amount: number; currency: 'USD'; compareAt: number | null } {
  return { amount: p.amount, currency: p.currency, compareAt: p.compareAt ?? null };
}

function categoryOf(c: CategoryRecord): Category {
  return shape.category({ id: c.id, slug: c.slug, name: c.name }, c.productCount);
}

async function card(db: Db, p: ProductRecord): Promise<ProductCard> {
  const price = await db.get(db.t.Price, p.id);
  const stock = await db.get(db.t.Inventory, p.id);
  if (!price) throw new Error(`product ${p.id} has no price`);
  return shape.productCard({
    product: p,
    price: priceOf(price),
    available: stock?.available ?? 0,
    reviewCount: p.reviewCount,
    ratingSum: p.ratingSum,
  });
}

async function cards(db: Db, products: readonly ProductRecord[]): Promise<ProductCard[]> {
  const out: ProductCard[] = new Array(products.length);
  for (let i = 0; i < products.length; i++) out[i] = await card(db, products[i]!);
  return out;
}

export async function home(db: Db): Promise<string> {
  const categories = await db.all(db.t.Category, {});
  categories.sort(compareCategoriesByName);
  const featured = await db.all(db.t.Product, {
    conditions: [{ attribute: 'popularKey', comparator: 'greater_than_equal', value: 0 }],
    sort: { attribute: 'popularKey' },
    limit: FEATURED_COUNT,
  });
  return JSON.stringify(shape.home(categories.map(categoryOf), await cards(db, featured)));
}

/** A page of a category, or null when no category has this slug. */
export async function categoryPage(db: Db, slug: string, q: CategoryQuery): Promise<string | null> {
  const found = await db.all(db.t.Category, { conditions: [{ attribute: 'slug', value: slug }], limit: 1 });
  const category = found[0];
  if (!category) return null;
  const total = category.productCount;
  const offset = (q.page - 1) * q.pageSize;
  let products: ProductRecord[] = [];
  if (offset < total) {
    const attribute = SORT_ATTRIBUTE[q.sort];
    products = await db.all(db.t.Product, {
      conditions: [{ attribute, comparator: 'between', value: categoryRange(category.id) }],
      sort: { attribute },
      offset,
      limit: q.pageSize,
    });
  }
  return JSON.stringify(
    shape.categoryPage(categoryOf(category), q.page, q.pageSize, total, await cards(db, products)),
  );
}

/** The product page, or null when no product has this id. */
export async function productDetail(db: Db, id: number): Promise<string | null> {
  const p = await db.get(db.t.Product, id);
  if (!p) return null;
  const price = await db.get(db.t.Price, id);
  const stock: InventoryRecord | undefined = await db.get(db.t.Inventory, id);
  const category = await db.get(db.t.Category, p.categoryId);
  if (!price || !category) throw new Error(`product ${id} has no price or category`);
  const prefix = reviewPrefix(id);
  const reviews = await db.all(db.t.Review, {
    conditions: [{ attribute: 'productOrder', comparator: 'starts_with', value: prefix }],
    sort: { attribute: 'productOrder' },
    limit: PRODUCT_PAGE_REVIEWS,
  });
  return JSON.stringify(
    shape.productDetail({
      product: p,
      price: priceOf(price),
      available: stock?.available ?? 0,
      reviewCount: p.reviewCount,
      ratingSum: p.ratingSum,
      description: p.description,
      category: { id: category.id, slug: category.slug, name: category.name },
      reviews,
    }),
  );
}

export async function search(db: Db, q: SearchQuery): Promise<string> {
  // Every token must be one of the name's words: one equality condition per token on the multi-valued `words`
  // index (Harper intersects them). Matches are ordered by popularKey (review count desc, id asc).
  const matches = await db.all(db.t.Product, {
    conditions: q.tokens.map((t) => ({ attribute: 'words', value: t })),
    select: ['id', 'popularKey'],
  });
  matches.sort((a, b) => a.popularKey - b.popularKey);
  const top: ProductRecord[] = [];
  const n = Math.min(q.limit, matches.length);
  for (let i = 0; i < n; i++) {
    const p = await db.get(db.t.Product, matches[i]!.id);
    if (p) top.push(p);
  }
  return JSON.stringify(shape.searchResult(q.q, matches.length, await cards(db, top)));
}
