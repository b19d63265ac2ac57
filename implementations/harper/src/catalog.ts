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
import { CATEGORY_SPAN, popularKeyOf, reviewRange, searchWordKey, searchWordRange } from './keys.js';
import type { Reader } from './reader.js';
import type { CategoryRecord, ProductRecord, ReviewRecord } from './tables.js';

// The read paths, synchronous from first read to last (one LMDB snapshot, see reader.ts). Ordered lists come
// from range scans of the tables' attribute indexes, whose keys keys.ts builds in the contract's order; records
// are then read by primary key (a product card is two lookups: the product, which carries a copy of its price,
// and its stock). Nothing is sorted in memory except the (12) categories by name.

/** The product's price, from the copy of its Price row that the product record carries. */
function priceOf(p: ProductRecord): { amount: number; currency: 'USD'; compareAt: number | null } {
  return { amount: p.priceAmount, currency: p.priceCurrency, compareAt: p.priceCompareAt ?? null };
}

function categoryOf(c: CategoryRecord): Category {
  return shape.category({ id: c.id, slug: c.slug, name: c.name }, c.productCount);
}

function missing(what: string): never {
  throw new Error(`inconsistent data: ${what}`);
}

function card(r: Reader, id: number): ProductCard {
  const p = r.product(id) ?? missing(`product ${id}`);
  return shape.productCard({
    product: p,
    price: priceOf(p),
    available: r.stock(id)?.available ?? 0,
    reviewCount: p.reviewCount,
    ratingSum: p.ratingSum,
  });
}

function cards(r: Reader, ids: readonly number[]): ProductCard[] {
  const out: ProductCard[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = card(r, ids[i]!);
  return out;
}

/** Primary keys of a range scan, in index order. */
function ids(entries: Iterable<{ value: number | string }>): number[] {
  const out: number[] = [];
  for (const e of entries) out.push(e.value as number);
  return out;
}

export function home(r: Reader): string {
  const categories: CategoryRecord[] = [];
  for (const id of r.index(() => ids(r.ix.categorySlug.getRange({})))) {
    categories.push(r.category(id) ?? missing(`category ${id}`));
  }
  categories.sort(compareCategoriesByName);
  const featured = r.index(() => ids(r.ix.popular.getRange({ limit: FEATURED_COUNT })));
  return JSON.stringify(shape.home(categories.map(categoryOf), cards(r, featured)));
}

/**
 * LMDB keys are at most 1,978 bytes and Harper throws on a longer lookup key (a 500). No slug the dataset can
 * hold comes near it, so a longer one names no category: the contract's 404, like every other target.
 */
const MAX_INDEX_KEY_BYTES = 1_900;

function categoryBySlug(r: Reader, slug: string): CategoryRecord | undefined {
  if (Buffer.byteLength(slug) > MAX_INDEX_KEY_BYTES) return undefined;
  const id = r.index(() => {
    for (const v of r.ix.categorySlug.getValues(slug, { limit: 1 })) return v as number;
    return undefined;
  });
  return id === undefined ? undefined : r.category(id);
}

/** A page of a category, or null when no category has this slug. */
export function categoryPage(r: Reader, slug: string, q: CategoryQuery): string | null {
  const category = categoryBySlug(r, slug);
  if (!category) return null;
  const total = category.productCount;
  const offset = (q.page - 1) * q.pageSize;
  let page: number[] = [];
  if (offset < total) {
    const index = r.ix.categorySort[q.sort];
    const start = category.id * CATEGORY_SPAN;
    page = r.index(() =>
      ids(index.getRange({ start, end: start + CATEGORY_SPAN, offset, limit: q.pageSize })),
    );
  }
  return JSON.stringify(shape.categoryPage(categoryOf(category), q.page, q.pageSize, total, cards(r, page)));
}

/** The product page, or null when no product has this id. */
export function productDetail(r: Reader, id: number): string | null {
  const p = r.product(id);
  if (!p) return null;
  const category = r.category(p.categoryId) ?? missing(`category of ${id}`);
  const reviewIds = r.index(() =>
    ids(r.ix.reviewOrder.getRange({ ...reviewRange(id), limit: PRODUCT_PAGE_REVIEWS })),
  );
  const reviews: ReviewRecord[] = [];
  for (const rid of reviewIds) reviews.push(r.review(rid) ?? missing(`review ${rid}`));
  return JSON.stringify(
    shape.productDetail({
      product: p,
      price: priceOf(p),
      available: r.stock(id)?.available ?? 0,
      reviewCount: p.reviewCount,
      ratingSum: p.ratingSum,
      description: p.description,
      category: { id: category.id, slug: category.slug, name: category.name },
      reviews,
    }),
  );
}

/**
 * Products whose name has every query token, by review count desc then id asc. The rarest token's entries in
 * Product.searchWords are scanned in that order (a native count picks the rarest); with more than one token a
 * candidate is kept when every other token has an entry for the same product. The scan runs to the end of the
 * rarest token's range to count the total.
 */
function searchIds(r: Reader, tokens: readonly string[], limit: number): { total: number; top: number[] } {
  const index = r.ix.searchWords;
  let rarest = '';
  let rarestCount = Number.POSITIVE_INFINITY;
  for (const t of tokens) {
    const n = r.index(() => index.getKeysCount(searchWordRange(t)));
    if (n === 0) return { total: 0, top: [] };
    if (n < rarestCount) {
      rarest = t;
      rarestCount = n;
    }
  }
  const others = tokens.filter((t) => t !== rarest);
  const top: number[] = [];
  if (others.length === 0) {
    r.index(() => {
      for (const e of index.getRange({ ...searchWordRange(rarest), limit })) top.push(e.value as number);
    });
    return { total: rarestCount, top };
  }
  // popularKey is unique per product, so "<token>:<popularKey>" names one index entry: an exact key lookup.
  let total = 0;
  r.index(() => {
    for (const e of index.getRange(searchWordRange(rarest))) {
      const popular = popularKeyOf(e.key as string);
      if (!others.every((t) => index.doesExist(searchWordKey(t, popular)))) continue;
      total++;
      if (top.length < limit) top.push(e.value as number);
    }
  });
  return { total, top };
}

export function search(r: Reader, q: SearchQuery): string {
  const { total, top } = searchIds(r, q.tokens, q.limit);
  return JSON.stringify(shape.searchResult(q.q, total, cards(r, top)));
}
