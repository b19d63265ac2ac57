import type { Sort } from '@lab/contract';

// Sort keys stored as indexed Long attributes (exact integers below 2^53). Each key orders products exactly as
// the contract's COMPARATORS do, ending with id asc, so an index range scan needs no in-memory sort. Built at seed
// time from price, review count and rating sum, none of which the API can change (only stock changes).

/** Ids are below this (the dataset's maximum is 1,200,000 products). */
export const ID_SPAN = 10_000_000;
/** Review counts per product are below this (the dataset's maximum is 30). */
const REVIEW_SPAN = 1_000;
/** Prices in cents are below this (the dataset's maximum is 249,999). */
const AMOUNT_SPAN = 1_000_000;
/** round-half-up(average × 100) is at most 500. */
const RATING_SPAN = 501;
/** One category's keys live in [categoryId × CATEGORY_SPAN, (categoryId + 1) × CATEGORY_SPAN). */
export const CATEGORY_SPAN = 10_000_000_000_000;
const MAX_CATEGORY = Math.floor(Number.MAX_SAFE_INTEGER / CATEGORY_SPAN) - 1;

export interface KeyInput {
  id: number;
  categoryId: number;
  amount: number;
  reviewCount: number;
  ratingSum: number;
}

export interface ProductKeys {
  popularKey: number;
  catPopularKey: number;
  catPriceAscKey: number;
  catPriceDescKey: number;
  catRatingKey: number;
}

/** The indexed attribute holding each category ordering. */
export const SORT_ATTRIBUTE: Readonly<Record<Sort, keyof ProductKeys>> = {
  popular: 'catPopularKey',
  price_asc: 'catPriceAscKey',
  price_desc: 'catPriceDescKey',
  rating: 'catRatingKey',
};

/** Same integer as ratingAverage(sum, count) × 100 from @lab/contract, without floating point. */
export function rating100(ratingSum: number, count: number): number {
  return count === 0 ? 0 : Math.floor((ratingSum * 200 + count) / (count * 2));
}

function check(name: string, value: number, span: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= span) {
    throw new RangeError(`${name} ${value} does not fit the sort keys (0..${span - 1})`);
  }
}

export function productKeys(p: KeyInput): ProductKeys {
  check('id', p.id, ID_SPAN);
  check('categoryId', p.categoryId, MAX_CATEGORY + 1);
  check('amount', p.amount, AMOUNT_SPAN);
  check('reviewCount', p.reviewCount, REVIEW_SPAN);
  const base = p.categoryId * CATEGORY_SPAN;
  const byReviewsDesc = (REVIEW_SPAN - 1 - p.reviewCount) * ID_SPAN + p.id;
  const avg = rating100(p.ratingSum, p.reviewCount);
  return {
    popularKey: byReviewsDesc,
    catPopularKey: base + byReviewsDesc,
    catPriceAscKey: base + p.amount * ID_SPAN + p.id,
    catPriceDescKey: base + (AMOUNT_SPAN - 1 - p.amount) * ID_SPAN + p.id,
    catRatingKey: base + (RATING_SPAN - 1 - avg) * (REVIEW_SPAN * ID_SPAN) + byReviewsDesc,
  };
}

/** The inclusive key range of one category, for a `between` condition. */
export function categoryRange(categoryId: number): [number, number] {
  return [categoryId * CATEGORY_SPAN, (categoryId + 1) * CATEGORY_SPAN - 1];
}

const REVIEW_TIME_SPAN = 10_000_000_000_000; // ms timestamps stay below this until the year 2286

/** Prefix of one product's entries in Review.productOrder. */
export function reviewPrefix(productId: number): string {
  check('productId', productId, ID_SPAN);
  return `${String(productId).padStart(7, '0')}:`;
}

/** The key range [start, end) of one product's entries in Review.productOrder (";" follows ":"). */
export function reviewRange(productId: number): { start: string; end: string } {
  const prefix = reviewPrefix(productId);
  return { start: prefix, end: `${prefix.slice(0, -1)};` };
}

/** Orders one product's reviews by createdAt desc, then id asc, as fixed-width text. */
export function reviewOrderKey(productId: number, createdAt: string, id: number): string {
  const ms = Date.parse(createdAt);
  if (!Number.isFinite(ms) || ms < 0 || ms >= REVIEW_TIME_SPAN)
    throw new RangeError(`bad createdAt ${createdAt}`);
  check('review id', id, 100_000_000);
  const inverted = String(REVIEW_TIME_SPAN - 1 - ms).padStart(13, '0');
  return `${reviewPrefix(productId)}${inverted}:${String(id).padStart(8, '0')}`;
}

/** popularKey is below 10^10: ten digits keep the text order equal to the numeric order. */
const POPULAR_DIGITS = 10;

/** One entry of Product.searchWords. Words are [a-z0-9]+, so ":" never occurs inside one. */
export function searchWordKey(word: string, popularKey: number): string {
  return `${word}:${String(popularKey).padStart(POPULAR_DIGITS, '0')}`;
}

/** The key range [start, end) holding one word's entries (";" is the character after ":"). */
export function searchWordRange(word: string): { start: string; end: string } {
  return { start: `${word}:`, end: `${word};` };
}

/** The popularKey encoded in a searchWords entry. */
export function popularKeyOf(entry: string): number {
  return Number(entry.slice(entry.length - POPULAR_DIGITS));
}
