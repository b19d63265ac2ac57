/**
 * The post-run audit against a real target (the reference server on a free port): orders placed over HTTP,
 * then audited with the list of confirmed orders as the load generator would have seen it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateDataset, Oracle } from '@lab/contract';
import { auditStock } from '../src/faults/audit.js';
import { type Running, startReference, startTamperingProxy, TOKEN } from './helpers.js';

let ref: Running;
before(async () => {
  ref = await startReference();
});
after(() => ref.stop());

const oracle = new Oracle(generateDataset({ seed: 42, scale: 1 }), { adminToken: 'x' });
const [a, b] = oracle.catalog.popular.filter((id) => oracle.available(id) >= 5);

type Confirmed = Parameters<typeof auditStock>[0]['confirmed'];

/** The audit of the reference server's stock (or of a proxy in front of it) against these confirmations. */
function auditOf(confirmed: Confirmed, baseUrl = ref.url) {
  return auditStock({ baseUrl, seed: 42, scale: 1, confirmed });
}

async function reset(): Promise<void> {
  await fetch(`${ref.url}/api/admin/reset`, { method: 'POST', headers: { 'x-lab-token': TOKEN } });
}

async function buy(product: number, quantity: number): Promise<number> {
  const cart = (await (await fetch(`${ref.url}/api/carts`, { method: 'POST' })).json()) as { id: string };
  await fetch(`${ref.url}/api/carts/${cart.id}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ productId: product, quantity }),
  });
  return (await fetch(`${ref.url}/api/carts/${cart.id}/checkout`, { method: 'POST' })).status;
}

test('confirmed orders all accounted for: nothing lost, nothing oversold, pages equal the oracle', async () => {
  await reset();
  assert.equal(await buy(a!, 2), 201);
  assert.equal(await buy(b!, 1), 201);
  const audit = await auditOf([
    { product: a!, quantity: 2 },
    { product: b!, quantity: 1 },
  ]);
  assert.deepEqual(
    [audit.confirmedOrders, audit.confirmedUnits, audit.productsChecked, audit.pageMismatches],
    [2, 3, 2, 0],
  );
  assert.deepEqual([audit.oversoldUnits, audit.lostUnits, audit.unacknowledgedUnits], [0, 0, 0]);
});

test('a confirmed order the target forgot is lost; a sale nobody saw confirmed is unacknowledged', async () => {
  await reset();
  assert.equal(await buy(b!, 1), 201);
  // The client saw a 201 for product a (lost by the target: a reset stands in for a crash) but no answer for b.
  const audit = await auditOf([{ product: a!, quantity: 2 }]);
  assert.equal(audit.lostUnits, 2);
  assert.deepEqual(audit.mismatches, [
    { productId: a!, expected: oracle.available(a!) - 2, actual: oracle.available(a!) },
  ]);
  const withB = await auditOf([{ product: b!, quantity: 0 }]);
  assert.equal(withB.unacknowledgedUnits, 1);
});

test('confirmations beyond the stock there was are oversold units', async () => {
  await reset();
  const stock = oracle.available(a!);
  const audit = await auditOf([{ product: a!, quantity: stock + 3 }]);
  assert.equal(audit.oversoldUnits, 3);
});

test('a product the target no longer serves (its database restarted empty) loses every unit confirmed on it', async () => {
  await reset();
  assert.equal(await buy(a!, 2), 201);
  assert.equal(await buy(a!, 1), 201);
  const gone = await startTamperingProxy(ref.url, (req, status, body) =>
    req.url === `/api/products/${a!}` ? { status: 404, body: '{"error":"not_found"}' } : { status, body },
  );
  try {
    const audit = await auditOf(
      [
        { product: a!, quantity: 2 },
        { product: a!, quantity: 1 },
      ],
      gone.url,
    );
    assert.equal(audit.lostUnits, 3);
    assert.equal(audit.pageMismatches, 1);
    assert.deepEqual(audit.mismatches, [{ productId: a!, expected: oracle.available(a!) - 3, actual: null }]);
  } finally {
    gone.server.close();
  }
});
