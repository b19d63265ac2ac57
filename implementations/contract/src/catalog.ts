import type { CategoryRow, Dataset, PriceRow, ProductRow, ReviewRow } from './dataset/generate.js';
import * as shape from './shapes.js';
import type { Category, Sort } from './types.js';
import { SORTS, tokenize } from './validation.js';

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Everything about one product that never changes after generation (stock is state, kept by the oracle). */
export interface ProductFacts {
  product: ProductRow;
  price: PriceRow;
  category: CategoryRow;
  reviewCount: number;
  ratingSum: number;
  ratingAverage: number;
  /** All reviews, newest first (createdAt desc, id asc). */
  reviews: ReviewRow[];
  /** Distinct lower-case name words. */
  words: ReadonlySet<string>;
}

/**
 * The immutable read model of a dataset: per-product aggregates and every ordering the contract needs, computed
 * once. Used by the oracle (and so by the reference server and the verify suite); targets compute the same
 * things from their own databases.
 */
export class Catalog {
  readonly dataset: Dataset;
  /** Indexed by product id (index 0 unused). */
  readonly facts: (ProductFacts | undefined)[];
  readonly categoriesByName: CategoryRow[];
  readonly categoryBySlug: ReadonlyMap<string, CategoryRow>;
  readonly productCount: ReadonlyMap<number, number>;
  /** Product ids of each category in each sort order. */
  readonly orders: ReadonlyMap<number, Readonly<Record<Sort, readonly number[]>>>;
  /** All product ids in popular order (search results are in this order). */
  readonly popular: readonly number[];
  /** Name word -> product ids having it, in popular order. */
  readonly wordIndex: ReadonlyMap<string, readonly number[]>;
  readonly initialStock: ReadonlyMap<number, number>;

  constructor(dataset: Dataset) {
    this.dataset = dataset;
    const categoryById = new Map(dataset.categories.map((c) => [c.id, c]));
    this.categoryBySlug = new Map(dataset.categories.map((c) => [c.slug, c]));
    this.categoriesByName = [...dataset.categories].sort(shape.compareCategoriesByName);

    const reviewsByProduct = new Map<number, ReviewRow[]>();
    for (const r of dataset.reviews) {
      pushTo(reviewsByProduct, r.productId, r);
    }
    const priceByProduct = new Map(dataset.prices.map((p) => [p.productId, p]));

    this.facts = new Array(dataset.products.length + 1);
    const productCount = new Map<number, number>();
    for (const product of dataset.products) {
      const reviews = (reviewsByProduct.get(product.id) ?? []).sort(shape.compareReviewsNewestFirst);
      let ratingSum = 0;
      for (const r of reviews) ratingSum += r.rating;
      const price = priceByProduct.get(product.id);
      const category = categoryById.get(product.categoryId);
      if (!price || !category) throw new Error(`dataset is inconsistent at product ${product.id}`);
      this.facts[product.id] = {
        product,
        price,
        category,
        reviewCount: reviews.length,
        ratingSum,
        ratingAverage: shape.ratingAverage(ratingSum, reviews.length),
        reviews,
        words: new Set(tokenize(product.name)),
      };
      productCount.set(product.categoryId, (productCount.get(product.categoryId) ?? 0) + 1);
    }
    this.productCount = productCount;
    this.initialStock = new Map(dataset.inventory.map((i) => [i.productId, i.available]));

    const key = (f: ProductFacts): shape.SortKey => ({
      id: f.product.id,
      amount: f.price.amount,
      reviewCount: f.reviewCount,
      ratingAverage: f.ratingAverage,
    });
    const all = this.allFacts().map(key);
    const byCategory = new Map<number, shape.SortKey[]>();
    for (const k of all) {
      pushTo(byCategory, this.facts[k.id]!.product.categoryId, k);
    }
    const orders = new Map<number, Record<Sort, number[]>>();
    for (const c of dataset.categories) {
      const keys = byCategory.get(c.id) ?? [];
      const perSort = {} as Record<Sort, number[]>;
      for (const s of SORTS) perSort[s] = [...keys].sort(shape.COMPARATORS[s]).map((k) => k.id);
      orders.set(c.id, perSort);
    }
    this.orders = orders;
    this.popular = [...all].sort(shape.COMPARATORS.popular).map((k) => k.id);

    const wordIndex = new Map<string, number[]>();
    for (const id of this.popular) {
      for (const w of this.facts[id]!.words) pushTo(wordIndex, w, id);
    }
    this.wordIndex = wordIndex;
  }

  allFacts(): ProductFacts[] {
    return this.facts.filter((f): f is ProductFacts => f !== undefined);
  }

  get(id: number): ProductFacts | undefined {
    return this.facts[id];
  }

  category(row: CategoryRow): Category {
    return shape.category(row, this.productCount.get(row.id) ?? 0);
  }

  /** Ids of products whose name has every token, in popular order. */
  search(tokens: readonly string[]): number[] {
    let best: readonly number[] | undefined;
    for (const t of tokens) {
      const list = this.wordIndex.get(t);
      if (!list) return [];
      if (!best || list.length < best.length) best = list;
    }
    if (!best) return [];
    return best.filter((id) => {
      const words = this.facts[id]!.words;
      return tokens.every((t) => words.has(t));
    });
  }
}
