// Hostile input and failure on the micro target: methods outside the spec, malformed HTTP, a cart of more lines
// than any internal batch, the fuzzer, who may move stock, and stock left held by a service that died mid-reserve.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateDataset } from '@lab/contract';
import { fuzzTarget, probeBigOrder, probeRobustness } from '@lab/runner';
import { MongoClient } from 'mongodb';
import { type Stack, startStack, TOKEN, waitHealthy } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function available(stack: Stack, productId: number): Promise<number> {
  const r = await fetch(`${stack.url('inventory')}/stock/${productId}`);
  return ((await r.json()) as { available: number }).available;
}

describe('micro: hostile input and failures', { timeout: 900_000 }, () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.stop();
  });

  it('answers methods outside the spec, malformed HTTP and huge parameters with the contract JSON error', async () => {
    assert.deepEqual(await probeRobustness(stack.bffUrl), []);
  });

  it('checks out a cart of 120 distinct products totalling more than 2^31 cents', async () => {
    assert.deepEqual(await probeBigOrder(stack.bffUrl, TOKEN), []);
  });

  it('passes schemathesis, every check and phase', async () => {
    for (const s of await fuzzTarget({ baseUrl: stack.bffUrl, adminToken: TOKEN })) {
      assert.equal(s.code, 0, `${s.step} step:\n${s.report}`);
    }
  });

  it('moves stock only for callers with the token', async () => {
    const body = JSON.stringify({ items: [{ productId: 1, quantity: 1 }] });
    const before = await available(stack, 1);
    const variants: Record<string, string>[] = [{}, { 'x-lab-token': 'wrong-token-123' }];
    for (const headers of variants) {
      for (const path of ['/reservations/x1', '/reservations/x1/commit', '/reservations/x1/release']) {
        const r = await fetch(`${stack.url('inventory')}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
        assert.equal(r.status, 401, path);
        assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'unauthorized');
      }
    }
    assert.equal(await available(stack, 1), before);
  });

  it('gives back the stock of a reservation whose reserving call died', async () => {
    const d = generateDataset();
    const productId = d.inventory.find((i) => i.available >= 10)!.productId;
    const initial = await available(stack, productId);
    // The state inventory is left in when it dies after taking a line and before finishing the reservation.
    const client = await MongoClient.connect(stack.db.url);
    try {
      const db = client.db('lab_inventory');
      const long = new Date(Date.now() - 3_600_000);
      const id = 'died-mid-reserve';
      await db.collection('reservations').insertOne({
        _id: id as never,
        items: [{ productId, quantity: 7 }],
        state: 'pending',
        createdAt: long,
        updatedAt: long,
      });
      await db
        .collection('stock')
        .updateOne({ _id: productId as never }, { $inc: { available: -7 }, $set: { [`holds.${id}`]: 7 } });
    } finally {
      await client.close();
    }
    assert.equal(await available(stack, productId), initial - 7);
    await stack.procs.inventory.stop();
    stack.procs.inventory = stack.spawn('inventory', stack.ports.inventory, {
      LAB_RESERVATION_STALE_MS: '500',
    });
    await waitHealthy(`${stack.url('inventory')}/health`, 60_000, stack.procs.inventory);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await available(stack, productId)) !== initial) await sleep(250);
    assert.equal(await available(stack, productId), initial, 'the expired reservation gave its units back');
    const audit = await fetch(`${stack.url('inventory')}/reservations/audit`, {
      headers: { 'x-lab-token': TOKEN },
    });
    const states = ((await audit.json()) as { states: Record<string, number> }).states;
    assert.equal(states['pending'], 0, JSON.stringify(states));
  });
});
