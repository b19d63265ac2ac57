import {
  type CategoryRow,
  COMPARATORS,
  compareCategoriesByName,
  type Dataset,
  FEATURED_COUNT,
  type Sort,
  tokenize,
} from '@lab/contract';
import type { Collection, Db, Sort as MongoSort } from 'mongodb';
import { ensureIndexes, insertInBatches } from '../lib/mongo.js';

export interface CategoryDoc {
  _id: number;
  slug: string;
  name: string;
  /** Owned: catalog owns products, so it counts them (at seed time; products never change). */
  productCount: number;
}

/** A product as catalog owns it (the product page reads it by id). */
export interface ProductDoc {
  _id: number;
  categoryId: number;
  name: string;
  description: string;
  image: string;
  /** Extended reference: the category's immutable fields, so the product page needs one read. */
  category: { id: number; slug: string; name: string };
}

/**
 * catalog's listing read model: one lean document per product with what a card needs from catalog, the name's
 * tokens for search, and catalog's copies of pricing's and reviews' data used only to ORDER listings
 * (category sorts, search rank, featured). Catalog would maintain the copies from PriceChanged / ReviewAdded
 * events; the contract has no such writes, so they are computed at seed time from the same dataset the owners
 * load. Displayed prices and ratings always come from their owners (docs/implementations/micro.md).
 */
export interface ListingDoc {
  _id: number;
  categoryId: number;
  name: string;
  image: string;
  /** Distinct tokens of the name (contract tokenizer), multikey-indexed for search. */
  words: string[];
  priceAmount: number;
  reviewCount: number;
  /** round-half-up(ratingSum * 100 / reviewCount): integer, same order as the contract's rating average. */
  ratingX100: number;
}

/**
 * The home page's featured list, derived once at seed time: the FEATURED_COUNT most-reviewed listings (review
 * count descending, then id), stored as the rows a card needs. Review counts and product facts never change under
 * the contract's writes (only stock does, and stock is read from inventory on every request), so the document stays
 * correct. It is what the `{reviewCount:-1, _id}` index gives mongod for free: the stand-in builds no secondary
 * index and sorted all 1,200 listings per home page (docs/implementations/micro.md, "The featured read model").
 */
export interface FeaturedDoc {
  _id: 'home';
  rows: Pick<ListingDoc, '_id' | 'name' | 'categoryId' | 'image'>[];
}

export interface ListingRow {
  id: number;
  name: string;
  categoryId: number;
  image: string;
}

export interface ProductView extends ListingRow {
  description: string;
  category: { id: number; slug: string; name: string };
}

export interface CategoryView {
  id: number;
  slug: string;
  name: string;
  productCount: number;
}

const LISTING_PROJECTION = { name: 1, categoryId: 1, image: 1 } as const;

/** Every sort of the contract, as a MongoDB sort ending with _id (total order), each backed by an index. */
export const SORT_SPECS: Readonly<Record<Sort, MongoSort>> = {
  popular: { reviewCount: -1, _id: 1 },
  price_asc: { priceAmount: 1, _id: 1 },
  price_desc: { priceAmount: -1, _id: 1 },
  rating: { ratingX100: -1, reviewCount: -1, _id: 1 },
};

export const COLLECTIONS = ['categories', 'products', 'listings', 'featured'] as const;

const toRow = (d: Pick<ListingDoc, '_id' | 'name' | 'categoryId' | 'image'>): ListingRow => ({
  id: d._id,
  name: d.name,
  categoryId: d.categoryId,
  image: d.image,
});

const toCategory = (c: CategoryDoc): CategoryView => ({
  id: c._id,
  slug: c.slug,
  name: c.name,
  productCount: c.productCount,
});

/** The first FEATURED_COUNT products in the contract's popular order. */
function featuredRows(d: Dataset, reviewCount: Int32Array): FeaturedDoc['rows'] {
  return d.products
    .map((p) => ({ p, id: p.id, reviewCount: reviewCount[p.id]!, amount: 0, ratingAverage: 0 }))
    .sort(COMPARATORS.popular)
    .slice(0, FEATURED_COUNT)
    .map(({ p }) => ({ _id: p.id, name: p.name, categoryId: p.categoryId, image: p.image }));
}

export class CatalogStore {
  readonly categories: Collection<CategoryDoc>;
  readonly products: Collection<ProductDoc>;
  readonly listings: Collection<ListingDoc>;
  readonly featured: Collection<FeaturedDoc>;

  constructor(readonly db: Db) {
    this.categories = db.collection<CategoryDoc>('categories');
    this.products = db.collection<ProductDoc>('products');
    this.listings = db.collection<ListingDoc>('listings');
    this.featured = db.collection<FeaturedDoc>('featured');
  }

  /** One index per query path (created at every start; a no-op when they exist). */
  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.categories, [{ key: { slug: 1 }, name: 'slug', unique: true }]);
    // products: _id only (the product page). listings: one index per listing order.
    await ensureIndexes(this.listings, [
      { key: { categoryId: 1, reviewCount: -1, _id: 1 }, name: 'category_popular' },
      { key: { categoryId: 1, priceAmount: 1, _id: 1 }, name: 'category_price_asc' },
      { key: { categoryId: 1, priceAmount: -1, _id: 1 }, name: 'category_price_desc' },
      { key: { categoryId: 1, ratingX100: -1, reviewCount: -1, _id: 1 }, name: 'category_rating' },
      { key: { words: 1, reviewCount: -1, _id: 1 }, name: 'search_words' },
    ]);
  }

  async load(d: Dataset, batch: number): Promise<void> {
    const n = d.products.length;
    const reviewCount = new Int32Array(n + 1);
    const ratingSum = new Int32Array(n + 1);
    for (const r of d.reviews) {
      reviewCount[r.productId]!++;
      ratingSum[r.productId]! += r.rating;
    }
    const priceAmount = new Int32Array(n + 1);
    for (const p of d.prices) priceAmount[p.productId] = p.amount;
    const categoryById = new Map<number, CategoryRow>(d.categories.map((c) => [c.id, c]));
    const productCount = new Map<number, number>();
    for (const p of d.products) productCount.set(p.categoryId, (productCount.get(p.categoryId) ?? 0) + 1);

    await this.categories.insertMany(
      d.categories.map((c) => ({
        _id: c.id,
        slug: c.slug,
        name: c.name,
        productCount: productCount.get(c.id) ?? 0,
      })),
    );
    await insertInBatches(this.products, n, batch, (from, to) =>
      d.products.slice(from, to).map((p) => {
        const c = categoryById.get(p.categoryId)!;
        return {
          _id: p.id,
          categoryId: p.categoryId,
          name: p.name,
          description: p.description,
          image: p.image,
          category: { id: c.id, slug: c.slug, name: c.name },
        };
      }),
    );
    await this.featured.insertOne({ _id: 'home', rows: featuredRows(d, reviewCount) });
    await insertInBatches(this.listings, n, batch, (from, to) => {
      const docs: ListingDoc[] = [];
      for (let i = from; i < to; i++) {
        const p = d.products[i]!;
        const count = reviewCount[p.id]!;
        docs.push({
          _id: p.id,
          categoryId: p.categoryId,
          name: p.name,
          image: p.image,
          words: [...new Set(tokenize(p.name))],
          priceAmount: priceAmount[p.id]!,
          reviewCount: count,
          ratingX100: count === 0 ? 0 : Math.floor((ratingSum[p.id]! * 200 + count) / (count * 2)),
        });
      }
      return docs;
    });
  }

  /** Categories by name (contract order: UTF-16 code units, then id) and the most-reviewed products. */
  async home(): Promise<{ categories: CategoryView[]; featured: ListingRow[] }> {
    const [cats, featured] = await Promise.all([
      this.categories.find({}).toArray(),
      this.featured.findOne({ _id: 'home' }),
    ]);
    if (!featured) throw new Error('catalog: the featured read model is missing (seed interrupted?)');
    const categories = cats.map(toCategory).sort(compareCategoriesByName);
    return { categories, featured: featured.rows.map(toRow) };
  }

  /** null when the slug is unknown. A page past the end costs no product query. */
  async categoryPage(
    slug: string,
    page: number,
    pageSize: number,
    sort: Sort,
  ): Promise<{ category: CategoryView; total: number; products: ListingRow[] } | null> {
    const cat = await this.categories.findOne({ slug });
    if (!cat) return null;
    const skip = (page - 1) * pageSize;
    const rows =
      skip >= cat.productCount
        ? []
        : await this.listings
            .find(
              { categoryId: cat._id },
              { projection: LISTING_PROJECTION, sort: SORT_SPECS[sort], skip, limit: pageSize },
            )
            .toArray();
    return { category: toCategory(cat), total: cat.productCount, products: rows.map(toRow) };
  }

  /** Products whose words include every token, most reviewed first, and how many there are. */
  async search(tokens: readonly string[], limit: number): Promise<{ total: number; products: ListingRow[] }> {
    const filter = tokens.length === 1 ? { words: tokens[0]! } : { words: { $all: [...tokens] } };
    const [total, rows] = await Promise.all([
      this.listings.countDocuments(filter),
      this.listings
        .find(filter, { projection: LISTING_PROJECTION, sort: SORT_SPECS.popular, limit })
        .toArray(),
    ]);
    return { total, products: rows.map(toRow) };
  }

  async product(id: number): Promise<ProductView | null> {
    const d = await this.products.findOne(
      { _id: id },
      { projection: { name: 1, categoryId: 1, image: 1, description: 1, category: 1 } },
    );
    return d
      ? {
          id: d._id,
          name: d.name,
          categoryId: d.categoryId,
          image: d.image,
          description: d.description,
          category: d.category,
        }
      : null;
  }
}
