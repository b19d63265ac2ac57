import {
  compareReviewsNewestFirst,
  type Dataset,
  PRODUCT_PAGE_REVIEWS,
  type Review,
  type ReviewRow,
} from '@lab/contract';
import type { Collection, Db } from 'mongodb';
import { ensureIndexes, insertInBatches } from '../lib/mongo.js';
import { align } from '../lib/params.js';

export interface ReviewDoc {
  _id: number;
  productId: number;
  rating: number;
  title: string;
  body: string;
  author: string;
  createdAt: string;
}

/** What the reviews service returns per review: exactly the contract's Review. */
export type ReviewView = Review;

/**
 * Read models owned by reviews, one document per product, built at seed time (the contract has no review
 * writes; a new review would $inc the aggregate and $push into `recent_reviews` with $sort/$slice, each a
 * single-document update). `ratings` is lean on purpose: listing pages batch-read it for up to 100 products.
 * `recent_reviews` holds the newest reviews for the product page (MongoDB's subset pattern) with a copy of the
 * aggregate, so the page reads one document instead of sorting a product's history (which stays in `reviews`)
 * or reading two (a new review would update both documents' aggregate in the same two single-document updates).
 */
export interface RatingDoc {
  _id: number;
  count: number;
  sum: number;
}

export interface RecentReviewsDoc {
  _id: number;
  count: number;
  sum: number;
  reviews: ReviewView[];
}

export interface RatingView {
  count: number;
  sum: number;
}

export const COLLECTIONS = ['reviews', 'ratings', 'recent_reviews'] as const;

const view = (r: ReviewRow): ReviewView => ({
  id: r.id,
  productId: r.productId,
  rating: r.rating,
  title: r.title,
  body: r.body,
  author: r.author,
  createdAt: r.createdAt,
});

export class ReviewsStore {
  readonly reviews: Collection<ReviewDoc>;
  readonly ratings: Collection<RatingDoc>;
  readonly recent: Collection<RecentReviewsDoc>;

  constructor(readonly db: Db) {
    this.reviews = db.collection<ReviewDoc>('reviews');
    this.ratings = db.collection<RatingDoc>('ratings');
    this.recent = db.collection<RecentReviewsDoc>('recent_reviews');
  }

  async ensureIndexes(): Promise<void> {
    // The history's access path (a product's reviews, newest first): what maintaining `recent` would query.
    await ensureIndexes(this.reviews, [
      { key: { productId: 1, createdAt: -1, _id: 1 }, name: 'product_newest' },
    ]);
    // ratings, recent_reviews: _id only.
  }

  async load(d: Dataset, batch: number): Promise<void> {
    await insertInBatches(this.reviews, d.reviews.length, batch, (from, to) =>
      d.reviews.slice(from, to).map((r) => ({
        _id: r.id,
        productId: r.productId,
        rating: r.rating,
        title: r.title,
        body: r.body,
        author: r.author,
        createdAt: r.createdAt,
      })),
    );
    const byProduct: ReviewRow[][] = Array.from({ length: d.products.length + 1 }, () => []);
    for (const r of d.reviews) byProduct[r.productId]!.push(r);
    const ids = d.products.map((p) => p.id);
    const rating = (id: number): RatingDoc => {
      let sum = 0;
      for (const r of byProduct[id]!) sum += r.rating;
      return { _id: id, count: byProduct[id]!.length, sum };
    };
    await insertInBatches(this.ratings, ids.length, batch, (from, to) => ids.slice(from, to).map(rating));
    await insertInBatches(this.recent, ids.length, batch, (from, to) =>
      ids.slice(from, to).map((id) => ({
        ...rating(id),
        reviews: [...byProduct[id]!].sort(compareReviewsNewestFirst).slice(0, PRODUCT_PAGE_REVIEWS).map(view),
      })),
    );
  }

  async ratingsOf(ids: readonly number[]): Promise<(RatingView | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.ratings.find({ _id: { $in: [...ids] } }).toArray();
    return align(ids, rows).map((d) => (d ? { count: d.count, sum: d.sum } : null));
  }

  /** The product page's part: aggregate and newest reviews, one point read. */
  async productReviewsOf(id: number): Promise<{ count: number; sum: number; recent: ReviewView[] } | null> {
    const d = await this.recent.findOne({ _id: id });
    return d ? { count: d.count, sum: d.sum, recent: d.reviews } : null;
  }
}
