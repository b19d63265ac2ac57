// The sort keys must order products and reviews exactly like the contract's comparators (keys.ts), for every
// product of the dataset; the index scans in catalog.ts rely on it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Catalog,
  COMPARATORS,
  compareReviewsNewestFirst,
  generateDataset,
  SORTS,
  type SortKey,
} from '@lab/contract';
import {
  CATEGORY_SPAN,
  categoryRange,
  popularKeyOf,
  productKeys,
  rating100,
  reviewOrderKey,
  reviewRange,
  SORT_ATTRIBUTE,
  searchWordKey,
  searchWordRange,
} from '../src/keys.js';

const dataset = generateDataset({ seed: 7, scale: 2 });
const catalog = new Catalog(dataset);

test('rating100 is ratingAverage × 100', () => {
  for (const f of catalog.allFacts())
    assert.equal(rating100(f.ratingSum, f.reviewCount), Math.round(f.ratingAverage * 100));
});

test('every category ordering of the sort keys equals the contract comparator', () => {
  for (const c of dataset.categories) {
    const facts = catalog.allFacts().filter((f) => f.product.categoryId === c.id);
    for (const sort of SORTS) {
      const attribute = SORT_ATTRIBUTE[sort];
      const byKey = facts
        .map((f) => ({
          id: f.product.id,
          key: productKeys({
            id: f.product.id,
            categoryId: c.id,
            amount: f.price.amount,
            reviewCount: f.reviewCount,
            ratingSum: f.ratingSum,
          })[attribute],
        }))
        .sort((a, b) => a.key - b.key);
      const [lo, hi] = categoryRange(c.id);
      for (const k of byKey) assert.ok(k.key >= lo && k.key <= hi && Number.isSafeInteger(k.key));
      assert.deepEqual(
        byKey.map((k) => k.id),
        catalog.orders.get(c.id)![sort],
        `${c.slug} ${sort}`,
      );
    }
  }
  assert.equal(categoryRange(3)[0], 3 * CATEGORY_SPAN);
});

test('popularKey orders the whole catalogue like COMPARATORS.popular', () => {
  const keyed = catalog.allFacts().map((f) => {
    const k: SortKey = {
      id: f.product.id,
      amount: f.price.amount,
      reviewCount: f.reviewCount,
      ratingAverage: 0,
    };
    return {
      k,
      key: productKeys({ ...k, categoryId: f.product.categoryId, ratingSum: f.ratingSum }).popularKey,
    };
  });
  const byKey = [...keyed].sort((a, b) => a.key - b.key).map((x) => x.k.id);
  assert.deepEqual(
    byKey,
    [...keyed].sort((a, b) => COMPARATORS.popular(a.k, b.k)).map((x) => x.k.id),
  );
});

test('searchWords entries: one range per word, in popular order, and nothing else in it', () => {
  const keys = [
    'lamp:0000000007',
    'lamp:0000000012',
    'lamps:0000000001',
    'lam:0000000003',
    'lamp1:0000000001',
  ];
  const { start, end } = searchWordRange('lamp');
  const inRange = keys.filter((k) => k >= start && k < end).sort();
  assert.deepEqual(inRange, ['lamp:0000000007', 'lamp:0000000012']);
  assert.equal(searchWordKey('lamp', 7), 'lamp:0000000007');
  assert.equal(popularKeyOf(searchWordKey('x', 998_0001_234)), 998_0001_234);
});

test('review keys order one product newest first, ties by id, inside its own range', () => {
  const byProduct = new Map<number, typeof dataset.reviews>();
  for (const r of dataset.reviews) byProduct.set(r.productId, [...(byProduct.get(r.productId) ?? []), r]);
  for (const [productId, reviews] of byProduct) {
    const byKey = [...reviews].sort((a, b) => {
      const ka = reviewOrderKey(productId, a.createdAt, a.id);
      const kb = reviewOrderKey(productId, b.createdAt, b.id);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    assert.deepEqual(
      byKey.map((r) => r.id),
      [...reviews].sort(compareReviewsNewestFirst).map((r) => r.id),
    );
    const { start, end } = reviewRange(productId);
    for (const r of reviews) {
      const k = reviewOrderKey(productId, r.createdAt, r.id);
      assert.ok(k >= start && k < end);
    }
  }
  // Same timestamp: id ascending.
  assert.ok(
    reviewOrderKey(5, '2024-01-01T00:00:00.000Z', 2) < reviewOrderKey(5, '2024-01-01T00:00:00.000Z', 10),
  );
  assert.ok(
    reviewOrderKey(5, '2024-01-02T00:00:00.000Z', 9) < reviewOrderKey(5, '2024-01-01T00:00:00.000Z', 1),
  );
  assert.ok(reviewOrderKey(5, '2024-01-01T00:00:00.000Z', 1) >= reviewRange(5).start);
  assert.ok(reviewOrderKey(50, '2024-01-01T00:00:00.000Z', 1) >= reviewRange(5).end);
});

test('out-of-range values are refused instead of silently mis-ordering', () => {
  const base = { id: 1, categoryId: 1, amount: 100, reviewCount: 1, ratingSum: 5 };
  assert.throws(() => productKeys({ ...base, amount: 1_000_000 }), RangeError);
  assert.throws(() => productKeys({ ...base, id: 10_000_000 }), RangeError);
  assert.throws(() => productKeys({ ...base, reviewCount: 1_000 }), RangeError);
  assert.throws(() => reviewOrderKey(1, 'not a date', 1), RangeError);
});
