// JSON schemas for fast-json-stringify (Fastify response serialisation). Property order IS the wire order and
// matches the contract's shape builders, so the BFF's bodies stay byte-identical to JSON.stringify of them.
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;

export const categorySchema = {
  type: 'object',
  properties: { id: int, slug: str, name: str, productCount: int },
} as const;

export const priceSchema = {
  type: 'object',
  properties: { amount: int, currency: str, compareAt: { type: ['integer', 'null'] } },
} as const;

export const ratingSchema = {
  type: 'object',
  properties: { average: { type: 'number' }, count: int },
} as const;

const cardProperties = {
  id: int,
  name: str,
  categoryId: int,
  price: priceSchema,
  inStock: { type: 'boolean' },
  rating: ratingSchema,
  image: str,
} as const;

export const productCardSchema = { type: 'object', properties: cardProperties } as const;

export const reviewSchema = {
  type: 'object',
  properties: { id: int, productId: int, rating: int, title: str, body: str, author: str, createdAt: str },
} as const;

export const productDetailSchema = {
  type: 'object',
  properties: {
    ...cardProperties,
    description: str,
    category: { type: 'object', properties: { id: int, slug: str, name: str } },
    inventory: { type: 'object', properties: { available: int } },
    reviews: { type: 'array', items: reviewSchema },
  },
} as const;

export const homeSchema = {
  type: 'object',
  properties: {
    categories: { type: 'array', items: categorySchema },
    featured: { type: 'array', items: productCardSchema },
  },
} as const;

export const categoryPageSchema = {
  type: 'object',
  properties: {
    category: categorySchema,
    page: int,
    pageSize: int,
    total: int,
    products: { type: 'array', items: productCardSchema },
  },
} as const;

export const searchResultSchema = {
  type: 'object',
  properties: { query: str, total: int, products: { type: 'array', items: productCardSchema } },
} as const;

// ---- internal APIs ------------------------------------------------------------------------------------------

/** A catalog listing row: what catalog owns of a product card. */
export const listingRowSchema = {
  type: 'object',
  properties: { id: int, name: str, categoryId: int, image: str },
} as const;

export const response200 = (schema: object) => ({ response: { 200: schema } });
