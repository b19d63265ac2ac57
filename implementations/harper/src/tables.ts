import type { ReviewRow, Sort } from '@lab/contract';
import { SORT_ATTRIBUTE } from './keys.js';

// Typed access to the tables declared in schema.graphql (Harper's default database, the `tables` global).

export interface MetaRecord {
  id: string;
  seed: number;
  scale: number;
  loader: number;
  complete: boolean;
}

export interface CategoryRecord {
  id: number;
  slug: string;
  name: string;
  productCount: number;
}

export interface ProductRecord {
  id: number;
  categoryId: number;
  name: string;
  description: string;
  image: string;
  reviewCount: number;
  ratingSum: number;
  /** Copy of the product's Price row (read model). */
  priceAmount: number;
  priceCurrency: 'USD';
  priceCompareAt: number | null;
  searchWords: string[];
  popularKey: number;
  catPopularKey: number;
  catPriceAscKey: number;
  catPriceDescKey: number;
  catRatingKey: number;
}

export interface PriceRecord {
  productId: number;
  amount: number;
  currency: 'USD';
  compareAt: number | null;
}

export interface InventoryRecord {
  productId: number;
  available: number;
  /** The dataset's stock (reset restores `available` to it). */
  initial: number;
}

/** A review row as the dataset has it, plus its composite sort key. */
export interface ReviewRecord extends ReviewRow {
  productOrder: string;
}

export interface CartLine {
  productId: number;
  quantity: number;
  unitPrice: number;
}

export interface CartRecord {
  id: string;
  items: CartLine[];
  checkedOut: boolean;
}

export interface OrderRecord {
  id: string;
  cartId: string;
  items: CartLine[];
  totalAmount: number;
  currency: 'USD';
}

export interface Tables {
  Meta: HarperTable<MetaRecord>;
  Category: HarperTable<CategoryRecord>;
  Product: HarperTable<ProductRecord>;
  Price: HarperTable<PriceRecord>;
  Inventory: HarperTable<InventoryRecord>;
  Review: HarperTable<ReviewRecord>;
  Cart: HarperTable<CartRecord>;
  Order: HarperTable<OrderRecord>;
}

export interface Indexes {
  categorySlug: HarperIndexStore;
  popular: HarperIndexStore;
  categorySort: Readonly<Record<Sort, HarperIndexStore>>;
  searchWords: HarperIndexStore;
  reviewOrder: HarperIndexStore;
}

const NAMES = ['Meta', 'Category', 'Product', 'Price', 'Inventory', 'Review', 'Cart', 'Order'] as const;

/** The component's tables; throws if schema.graphql was not loaded. */
export function labTables(): Tables {
  const out: Partial<Record<(typeof NAMES)[number], unknown>> = {};
  for (const name of NAMES) {
    const table = tables[name];
    if (!table) throw new Error(`table ${name} is missing: was schema.graphql loaded?`);
    out[name] = table;
  }
  return out as Tables;
}

function indexOf(table: HarperTable<unknown>, attribute: string): HarperIndexStore {
  const index = table.indices[attribute];
  if (!index) throw new Error(`attribute ${attribute} is not indexed: check schema.graphql`);
  return index;
}

/** The index stores the read paths scan (see catalog.ts). */
export function labIndexes(t: Tables): Indexes {
  const product = t.Product as HarperTable<unknown>;
  return {
    categorySlug: indexOf(t.Category as HarperTable<unknown>, 'slug'),
    popular: indexOf(product, 'popularKey'),
    categorySort: {
      popular: indexOf(product, SORT_ATTRIBUTE.popular),
      price_asc: indexOf(product, SORT_ATTRIBUTE.price_asc),
      price_desc: indexOf(product, SORT_ATTRIBUTE.price_desc),
      rating: indexOf(product, SORT_ATTRIBUTE.rating),
    },
    searchWords: indexOf(product, 'searchWords'),
    reviewOrder: indexOf(t.Review as HarperTable<unknown>, 'productOrder'),
  };
}
