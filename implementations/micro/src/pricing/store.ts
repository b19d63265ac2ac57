import type { Dataset } from '@lab/contract';
import type { Collection, Db } from 'mongodb';
import { insertInBatches } from '../lib/mongo.js';
import { align } from '../lib/params.js';

export interface PriceDoc {
  _id: number;
  amount: number;
  currency: 'USD';
  compareAt: number | null;
}

export interface PriceView {
  amount: number;
  currency: 'USD';
  compareAt: number | null;
}

export const COLLECTIONS = ['prices'] as const;
const PROJECTION = { amount: 1, currency: 1, compareAt: 1 } as const;
const view = (d: PriceDoc): PriceView => ({ amount: d.amount, currency: d.currency, compareAt: d.compareAt });

/** pricing owns one price per product, keyed by product id (the primary key is the only index needed). */
export class PricingStore {
  readonly prices: Collection<PriceDoc>;

  constructor(readonly db: Db) {
    this.prices = db.collection<PriceDoc>('prices');
  }

  async ensureIndexes(): Promise<void> {
    // _id is the only access path (single and batch lookups by product id).
  }

  async load(d: Dataset, batch: number): Promise<void> {
    await insertInBatches(this.prices, d.prices.length, batch, (from, to) =>
      d.prices.slice(from, to).map((p) => ({
        _id: p.productId,
        amount: p.amount,
        currency: p.currency,
        compareAt: p.compareAt,
      })),
    );
  }

  async price(id: number): Promise<PriceView | null> {
    const d = await this.prices.findOne({ _id: id }, { projection: PROJECTION });
    return d ? view(d) : null;
  }

  /** Prices of `ids`, aligned with them (null where a product has none). One query for a whole page. */
  async batch(ids: readonly number[]): Promise<(PriceView | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.prices.find({ _id: { $in: [...ids] } }, { projection: PROJECTION }).toArray();
    return align(ids, rows).map((d) => (d ? view(d) : null));
  }
}
