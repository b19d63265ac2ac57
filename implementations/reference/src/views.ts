import { type Oracle, PRODUCT_PAGE_REVIEWS, type StockChange, shape } from '@lab/contract';

/**
 * Pre-serialised JSON for the read paths, built lazily from the oracle and invalidated per product when stock
 * changes. Pages are assembled by concatenating cached card strings, which is byte-identical to
 * JSON.stringify of the oracle's objects because JSON.stringify of a nested value is the same text wherever it
 * appears. This is what makes the reference the speed-of-light ceiling: no per-request object graph.
 */
export class Views {
  private readonly cards: (string | undefined)[];
  private readonly details: (Buffer | undefined)[];
  private readonly categoryJson = new Map<number, string>();
  private home: Buffer | undefined;

  constructor(private readonly oracle: Oracle) {
    const n = oracle.catalog.facts.length;
    this.cards = new Array(n);
    this.details = new Array(n);
    for (const row of oracle.catalog.dataset.categories) {
      this.categoryJson.set(row.id, JSON.stringify(oracle.catalog.category(row)));
    }
    oracle.onStockChange = (change) => this.invalidate(change);
  }

  invalidate(change: StockChange): void {
    if (change === 'all') {
      this.cards.fill(undefined);
      this.details.fill(undefined);
    } else {
      for (const id of change) {
        this.cards[id] = undefined;
        this.details[id] = undefined;
      }
    }
    this.home = undefined;
  }

  card(id: number): string {
    let s = this.cards[id];
    if (s === undefined) {
      s = JSON.stringify(this.oracle.card(id));
      this.cards[id] = s;
    }
    return s;
  }

  private cardList(ids: readonly number[], start: number, end: number): string {
    let out = '';
    for (let i = start; i < end; i++) {
      if (i > start) out += ',';
      out += this.card(ids[i]!);
    }
    return out;
  }

  homeBody(): Buffer {
    if (!this.home) this.home = Buffer.from(JSON.stringify(this.oracle.home().body));
    return this.home;
  }

  productBody(id: number): Buffer | undefined {
    const f = this.oracle.catalog.get(id);
    if (!f) return undefined;
    let b = this.details[id];
    if (!b) {
      const detail = shape.productDetail({
        product: f.product,
        price: f.price,
        available: this.oracle.available(id),
        reviewCount: f.reviewCount,
        ratingSum: f.ratingSum,
        description: f.product.description,
        category: f.category,
        reviews: f.reviews.slice(0, PRODUCT_PAGE_REVIEWS),
      });
      b = Buffer.from(JSON.stringify(detail));
      this.details[id] = b;
    }
    return b;
  }

  categoryPageBody(categoryId: number, ids: readonly number[], page: number, pageSize: number): string {
    const start = Math.min((page - 1) * pageSize, ids.length);
    const end = Math.min(start + pageSize, ids.length);
    return (
      `{"category":${this.categoryJson.get(categoryId)},"page":${page},"pageSize":${pageSize},` +
      `"total":${ids.length},"products":[${this.cardList(ids, start, end)}]}`
    );
  }

  searchBody(query: string, ids: readonly number[], limit: number): string {
    return `{"query":${JSON.stringify(query)},"total":${ids.length},"products":[${this.cardList(ids, 0, Math.min(limit, ids.length))}]}`;
  }
}
