import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  generateDataset,
  MAX_REVIEWS_PER_PRODUCT,
  REVIEW_EPOCH_MS,
  REVIEW_SPAN_SECONDS,
} from '../src/index.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// The hash of JSON.stringify(generateDataset()) at seed 42, scale 1. It pins byte-identical output across
// machines (CI runs on another one). If you change the generator or its word lists on purpose, update it.
const GOLDEN_SEED42_SCALE1 = '0523947005cd686cdffb0303d907c54782504f92b85a60b3cca1d75960a4b0fc';

describe('generateDataset', () => {
  const d = generateDataset();

  test('is byte-identical for the same seed and scale, and matches the golden hash', () => {
    const again = generateDataset({ seed: 42, scale: 1 });
    const text = JSON.stringify(d);
    assert.equal(JSON.stringify(again), text);
    assert.equal(sha256(text), GOLDEN_SEED42_SCALE1);
  });

  test('another seed gives another dataset of the same shape', () => {
    const other = generateDataset({ seed: 7 });
    assert.notEqual(JSON.stringify(other.products), JSON.stringify(d.products));
    assert.equal(other.products.length, d.products.length);
  });

  test('scale 1 has 12 categories, 1,200 products, one price and one stock row each', () => {
    assert.equal(d.categories.length, 12);
    assert.equal(d.products.length, 1200);
    assert.equal(d.prices.length, 1200);
    assert.equal(d.inventory.length, 1200);
    assert.deepEqual(
      d.products.map((p) => p.id),
      Array.from({ length: 1200 }, (_, i) => i + 1),
    );
    assert.equal(new Set(d.categories.map((c) => c.slug)).size, 12);
    for (const p of d.products) assert.ok(p.categoryId >= 1 && p.categoryId <= 12);
  });

  test('about 9,600 reviews, 0-30 per product, skewed toward a few products', () => {
    assert.ok(d.reviews.length > 8600 && d.reviews.length < 10600, `${d.reviews.length} reviews`);
    const per = new Map<number, number>();
    for (const r of d.reviews) per.set(r.productId, (per.get(r.productId) ?? 0) + 1);
    const counts = d.products.map((p) => per.get(p.id) ?? 0).sort((a, b) => b - a);
    assert.ok(counts[0]! <= MAX_REVIEWS_PER_PRODUCT);
    assert.ok(counts[0]! >= 25, 'some products have many reviews');
    const zero = counts.filter((c) => c === 0).length;
    assert.ok(zero > 50, `${zero} products without reviews`);
    const top10 = counts.slice(0, 120).reduce((a, b) => a + b, 0);
    assert.ok(top10 / d.reviews.length > 0.25, 'the top 10% of products hold over a quarter of the reviews');
    assert.deepEqual(
      d.reviews.map((r) => r.id),
      Array.from({ length: d.reviews.length }, (_, i) => i + 1),
    );
  });

  test('prices are integer cents, about 20% on sale with compareAt above the price', () => {
    let onSale = 0;
    for (const p of d.prices) {
      assert.ok(Number.isInteger(p.amount) && p.amount > 0);
      assert.equal(p.currency, 'USD');
      if (p.compareAt !== null) {
        onSale++;
        assert.ok(Number.isInteger(p.compareAt) && p.compareAt > p.amount);
      }
    }
    assert.ok(onSale > 180 && onSale < 300, `${onSale} on sale`);
  });

  test('about 8% out of stock, the rest with stock', () => {
    const out = d.inventory.filter((i) => i.available === 0).length;
    assert.ok(out > 60 && out < 140, `${out} out of stock`);
    for (const i of d.inventory) assert.ok(Number.isInteger(i.available) && i.available >= 0);
  });

  test('reviews: ratings 1-5, ISO dates within two years of the fixed epoch, text filled in', () => {
    const end = REVIEW_EPOCH_MS + REVIEW_SPAN_SECONDS * 1000;
    const ratings = new Set<number>();
    for (const r of d.reviews) {
      ratings.add(r.rating);
      assert.match(r.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      const t = Date.parse(r.createdAt);
      assert.ok(t >= REVIEW_EPOCH_MS && t < end);
      assert.ok(r.title.length > 0 && r.body.length > 0 && r.author.length > 0);
    }
    assert.deepEqual([...ratings].sort(), [1, 2, 3, 4, 5]);
  });

  test('names and descriptions are realistic text', () => {
    for (const p of d.products.slice(0, 50)) {
      assert.match(p.name, /^[A-Z][A-Za-z0-9 -]+$/);
      assert.ok(p.description.includes(p.name));
    }
    const distinct = new Set(d.products.map((p) => p.name)).size;
    assert.ok(distinct > 1100, `${distinct} distinct names`);
  });

  test('scale 10 has 12,000 products', () => {
    const big = generateDataset({ scale: 10 });
    assert.equal(big.products.length, 12000);
    assert.equal(big.categories.length, 12);
    assert.ok(big.reviews.length > 86000 && big.reviews.length < 106000);
  });

  test('rejects bad options with a clear message', () => {
    assert.throws(() => generateDataset({ scale: 0 }), /scale must be an integer from 1 to 1000/);
    assert.throws(() => generateDataset({ scale: 1.5 }), /scale must be an integer/);
    assert.throws(() => generateDataset({ scale: 1001 }), /scale/);
    assert.throws(() => generateDataset({ seed: -1 }), /seed must be an integer/);
    assert.throws(() => generateDataset({ seed: 0.5 }), /seed/);
  });
});
