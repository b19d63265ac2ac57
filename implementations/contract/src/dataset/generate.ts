import { Prng } from './prng.js';
import {
  ADJECTIVES,
  BRANDS,
  CATEGORIES,
  DESCRIPTION_CLAIMS,
  DESCRIPTION_DETAILS,
  DESCRIPTION_OPENERS,
  FIRST_NAMES,
  LAST_INITIALS,
  REVIEW_SENTENCES,
  REVIEW_TITLES,
  SERIES,
} from './words.js';

export interface CategoryRow {
  id: number;
  slug: string;
  name: string;
}

export interface ProductRow {
  id: number;
  categoryId: number;
  name: string;
  description: string;
  image: string;
}

export interface PriceRow {
  productId: number;
  amount: number;
  currency: 'USD';
  compareAt: number | null;
}

export interface InventoryRow {
  productId: number;
  available: number;
}

export interface ReviewRow {
  id: number;
  productId: number;
  rating: number;
  title: string;
  body: string;
  author: string;
  createdAt: string;
}

export interface Dataset {
  seed: number;
  scale: number;
  categories: CategoryRow[];
  products: ProductRow[];
  prices: PriceRow[];
  inventory: InventoryRow[];
  reviews: ReviewRow[];
}

export interface DatasetOptions {
  seed?: number;
  scale?: number;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_SCALE = 1;
export const PRODUCTS_PER_SCALE = 1200;
export const MAX_SCALE = 1000;
export const MAX_REVIEWS_PER_PRODUCT = 30;
/** Review dates are spread over two years after this fixed instant (never Date.now). */
export const REVIEW_EPOCH_MS = Date.UTC(2023, 0, 1);
export const REVIEW_SPAN_SECONDS = 730 * 24 * 3600;
export const CURRENCY = 'USD' as const;

const SALE_PERCENT = 20;
const OUT_OF_STOCK_PERCENT = 8;
const BESTSELLER_PERCENT = 8;
const SALE_DISCOUNTS = [10, 15, 20, 25, 30, 40] as const;

// Most products get a geometric-like review count (many with few or none); bestsellers get 18-30.
// Weights are computed by repeated multiplication only, which is exact-rounded IEEE arithmetic everywhere.
const REVIEW_COUNT_WEIGHTS: readonly number[] = (() => {
  const weights: number[] = [];
  let w = 1;
  for (let k = 0; k <= MAX_REVIEWS_PER_PRODUCT; k++) {
    weights.push(Math.round(w * 10000));
    w *= 0.88;
  }
  return weights;
})();

// Rating distribution (1..5) per product quality tier: good, average, poor.
const RATING_WEIGHTS: readonly (readonly number[])[] = [
  [2, 3, 10, 35, 50],
  [5, 10, 25, 40, 20],
  [20, 25, 25, 20, 10],
];
const TIER_WEIGHTS = [50, 35, 15];
const BESTSELLER_TIER_WEIGHTS = [75, 20, 5];

/** Validates and normalises generator options; throws RangeError with a clear message. */
export function datasetOptions(options: DatasetOptions = {}): { seed: number; scale: number } {
  const seed = options.seed ?? DEFAULT_SEED;
  const scale = options.scale ?? DEFAULT_SCALE;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
  }
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_SCALE) {
    throw new RangeError(`scale must be an integer from 1 to ${MAX_SCALE}, got ${scale}`);
  }
  return { seed, scale };
}

/**
 * The lab's dataset: the same seed and scale give byte-identical output on any machine. Each table draws from
 * its own stream so that a change to one table's rules does not reshuffle the others.
 */
export function generateDataset(options: DatasetOptions = {}): Dataset {
  const { seed, scale } = datasetOptions(options);
  const productCount = PRODUCTS_PER_SCALE * scale;
  const stream = (n: number) => new Prng((Math.imul(seed, 0x2545f491) + n * 0x6d2b79f5) >>> 0);
  const productRng = stream(1);
  const priceRng = stream(2);
  const stockRng = stream(3);
  const reviewRng = stream(4);

  const categories: CategoryRow[] = CATEGORIES.map((c, i) => ({ id: i + 1, slug: c.slug, name: c.name }));
  const products: ProductRow[] = new Array(productCount);
  const prices: PriceRow[] = new Array(productCount);
  const inventory: InventoryRow[] = new Array(productCount);
  const reviews: ReviewRow[] = [];

  for (let i = 0; i < productCount; i++) {
    const id = i + 1;
    const categoryIndex = productRng.int(0, CATEGORIES.length - 1);
    const cat = CATEGORIES[categoryIndex]!;
    const noun = productRng.pick(cat.nouns);
    const feature = productRng.pick(cat.features);
    const brand = productRng.pick(BRANDS);
    const adjective = productRng.pick(ADJECTIVES);
    const series = productRng.pick(SERIES);
    const name = `${brand} ${adjective} ${feature} ${noun}${series ? ` ${series}` : ''}`;
    const description =
      `${productRng.pick(DESCRIPTION_OPENERS)}, the ${name} is a ${feature.toLowerCase()} ` +
      `${noun.toLowerCase()} and ${productRng.pick(DESCRIPTION_CLAIMS)}. ${productRng.pick(DESCRIPTION_DETAILS)}`;
    products[i] = {
      id,
      categoryId: categoryIndex + 1,
      name,
      description,
      image: `/images/products/${id}.jpg`,
    };

    const dollars = priceRng.int(cat.dollars[0], cat.dollars[1]);
    const regular = dollars * 100 + priceRng.pick([0, 49, 95, 99, 99, 99]);
    if (priceRng.chance(SALE_PERCENT)) {
      const discount = priceRng.pick(SALE_DISCOUNTS);
      const amount = Math.floor((regular * (100 - discount)) / 100);
      prices[i] = { productId: id, amount, currency: CURRENCY, compareAt: regular };
    } else {
      prices[i] = { productId: id, amount: regular, currency: CURRENCY, compareAt: null };
    }

    const available = stockRng.chance(OUT_OF_STOCK_PERCENT) ? 0 : stockRng.int(1, 250);
    inventory[i] = { productId: id, available };

    const bestseller = reviewRng.chance(BESTSELLER_PERCENT);
    const count = bestseller
      ? reviewRng.int(18, MAX_REVIEWS_PER_PRODUCT)
      : reviewRng.weighted(REVIEW_COUNT_WEIGHTS);
    const tier = reviewRng.weighted(bestseller ? BESTSELLER_TIER_WEIGHTS : TIER_WEIGHTS);
    const ratingWeights = RATING_WEIGHTS[tier]!;
    for (let r = 0; r < count; r++) {
      const rating = reviewRng.weighted(ratingWeights) + 1;
      const sentences = REVIEW_SENTENCES[rating]!;
      // Consecutive sentences from a random start (wrapping), so one review never repeats a sentence.
      const sentenceCount = reviewRng.int(1, 3);
      const first = reviewRng.int(0, sentences.length - 1);
      let body = sentences[first]!;
      for (let s = 1; s < sentenceCount; s++) body += ` ${sentences[(first + s) % sentences.length]}`;
      const seconds = reviewRng.int(0, REVIEW_SPAN_SECONDS - 1);
      reviews.push({
        id: reviews.length + 1,
        productId: id,
        rating,
        title: reviewRng.pick(REVIEW_TITLES[rating]!),
        body,
        author: `${reviewRng.pick(FIRST_NAMES)} ${LAST_INITIALS[reviewRng.int(0, LAST_INITIALS.length - 1)]}.`,
        createdAt: new Date(REVIEW_EPOCH_MS + seconds * 1000).toISOString(),
      });
    }
  }

  return { seed, scale, categories, products, prices, inventory, reviews };
}
