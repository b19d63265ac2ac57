// Builders for every contract object. Key order here IS the wire order: targets build bodies through these
// functions (or reproduce the same order), so that JSON.stringify gives byte-identical output everywhere.
import type { CategoryRow, PriceRow, ProductRow, ReviewRow } from './dataset/generate.js';
import type {
  Cart,
  CartItem,
  Category,
  CategoryPage,
  CategoryRef,
  Home,
  Money,
  Order,
  Price,
  ProductCard,
  ProductDetail,
  Rating,
  Review,
  SearchResult,
  Sort,
} from './types.js';

/** round-half-up(ratingSum × 100 / count) / 100 in integer arithmetic (0 when there are no reviews). */
export function ratingAverage(ratingSum: number, count: number): number {
  if (count === 0) return 0;
  return Math.floor((ratingSum * 200 + count) / (count * 2)) / 100;
}

export function rating(ratingSum: number, count: number): Rating {
  return { average: ratingAverage(ratingSum, count), count };
}

export function price(row: Pick<PriceRow, 'amount' | 'currency' | 'compareAt'>): Price {
  return { amount: row.amount, currency: row.currency, compareAt: row.compareAt };
}

export function money(amount: number, currency: Money['currency']): Money {
  return { amount, currency };
}

export function category(row: CategoryRow, productCount: number): Category {
  return { id: row.id, slug: row.slug, name: row.name, productCount };
}

export function categoryRef(row: CategoryRow): CategoryRef {
  return { id: row.id, slug: row.slug, name: row.name };
}

export interface CardInput {
  product: Pick<ProductRow, 'id' | 'name' | 'categoryId' | 'image'>;
  price: Pick<PriceRow, 'amount' | 'currency' | 'compareAt'>;
  available: number;
  reviewCount: number;
  ratingSum: number;
}

export function productCard(c: CardInput): ProductCard {
  return {
    id: c.product.id,
    name: c.product.name,
    categoryId: c.product.categoryId,
    price: price(c.price),
    inStock: c.available > 0,
    rating: rating(c.ratingSum, c.reviewCount),
    image: c.product.image,
  };
}

export function review(row: ReviewRow): Review {
  return {
    id: row.id,
    productId: row.productId,
    rating: row.rating,
    title: row.title,
    body: row.body,
    author: row.author,
    createdAt: row.createdAt,
  };
}

export function productDetail(
  c: CardInput & { description: string; category: CategoryRow; reviews: readonly ReviewRow[] },
): ProductDetail {
  return {
    ...productCard(c),
    description: c.description,
    category: categoryRef(c.category),
    inventory: { available: c.available },
    reviews: c.reviews.map(review),
  };
}

export function home(categories: Category[], featured: ProductCard[]): Home {
  return { categories, featured };
}

export function categoryPage(
  cat: Category,
  page: number,
  pageSize: number,
  total: number,
  products: ProductCard[],
): CategoryPage {
  return { category: cat, page, pageSize, total, products };
}

export function searchResult(query: string, total: number, products: ProductCard[]): SearchResult {
  return { query, total, products };
}

export function cartItem(productId: number, quantity: number, unitPrice: number): CartItem {
  return { productId, quantity, unitPrice };
}

export function cartTotal(items: readonly CartItem[], currency: Money['currency']): Money {
  let amount = 0;
  for (const item of items) amount += item.quantity * item.unitPrice;
  return money(amount, currency);
}

export function cart(id: string, items: CartItem[], currency: Money['currency']): Cart {
  return { id, items, total: cartTotal(items, currency) };
}

export function order(
  orderId: string,
  cartId: string,
  items: CartItem[],
  currency: Money['currency'],
): Order {
  return { orderId, cartId, items, total: cartTotal(items, currency) };
}

/**
 * Comparators for every sort (each ends with id asc, so orders are total). Exported so that targets and tests
 * share one definition of "popular", "price_asc", "price_desc" and "rating".
 */
export interface SortKey {
  id: number;
  amount: number;
  reviewCount: number;
  ratingAverage: number;
}

export const COMPARATORS: Readonly<Record<Sort, (a: SortKey, b: SortKey) => number>> = {
  popular: (a, b) => b.reviewCount - a.reviewCount || a.id - b.id,
  price_asc: (a, b) => a.amount - b.amount || a.id - b.id,
  price_desc: (a, b) => b.amount - a.amount || a.id - b.id,
  rating: (a, b) => b.ratingAverage - a.ratingAverage || b.reviewCount - a.reviewCount || a.id - b.id,
};

/** Review order on the product page: createdAt desc, then id asc (ISO strings compare correctly as code units). */
export function compareReviewsNewestFirst(a: ReviewRow, b: ReviewRow): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id - b.id;
}

/** Category order on the home page: name asc by UTF-16 code units (never localeCompare). */
export function compareCategoriesByName(
  a: { name: string; id: number },
  b: { name: string; id: number },
): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id - b.id;
}

export const FEATURED_COUNT = 8;
export const PRODUCT_PAGE_REVIEWS = 5;
