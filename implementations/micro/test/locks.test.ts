// The per-document lock and conditional update used on FerretDB, against a fake collection that updates the way
// FerretDB v1 does: read, check in the application, write back, with an await in between (not atomic).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedLock, updateIf } from '../src/lib/locks.js';

const tick = () => new Promise((r) => setImmediate(r));

class NonAtomicCollection {
  docs = new Map<unknown, Record<string, unknown>>();
  async findOne(filter: { _id: unknown }) {
    await tick();
    const d = this.docs.get(filter._id);
    return d ? { ...d } : null;
  }
  async updateOne(filter: Record<string, unknown>, update: { $inc?: Record<string, number> }) {
    const d = await this.findOne({ _id: filter['_id'] });
    const gte = (filter['available'] as { $gte?: number } | undefined)?.$gte;
    if (!d || (gte !== undefined && (d['available'] as number) < gte)) return { matchedCount: 0 };
    await tick();
    for (const [k, v] of Object.entries(update.$inc ?? {})) d[k] = (d[k] as number) + v;
    this.docs.set(filter['_id'], d);
    return { matchedCount: 1 };
  }
}

describe('updateIf on a non-atomic store', () => {
  for (const id of [7, 'p7']) {
    it(`oversells without the lock and not with it (_id ${typeof id})`, async () => {
      const take = (locks: KeyedLock, coll: NonAtomicCollection) =>
        updateIf(
          locks,
          coll,
          `stock:${id}`,
          { _id: id, available: { $gte: 1 } },
          { $inc: { available: -1 } },
        );

      const racy = new NonAtomicCollection();
      racy.docs.set(id, { _id: id, available: 5 });
      const noLock = await Promise.all(Array.from({ length: 50 }, () => take(new KeyedLock(false), racy)));
      assert.ok(noLock.filter(Boolean).length > 5, 'the fake store really is racy');

      const safe = new NonAtomicCollection();
      safe.docs.set(id, { _id: id, available: 5 });
      const locks = new KeyedLock(true);
      const locked = await Promise.all(Array.from({ length: 50 }, () => take(locks, safe)));
      assert.equal(locked.filter(Boolean).length, 5);
      assert.equal(safe.docs.get(id)!['available'], 0);
      assert.equal(locks.size, 0, 'no lock left behind');
    });
  }

  it('runs one holder at a time per key, in arrival order, and keys independently', async () => {
    const locks = new KeyedLock(true);
    const order: string[] = [];
    const job = (key: string, name: string) =>
      locks.run(key, async () => {
        order.push(`${name}+`);
        await tick();
        order.push(`${name}-`);
      });
    await Promise.all([job('a', 'a1'), job('a', 'a2'), job('b', 'b1')]);
    assert.deepEqual(
      order.filter((x) => x.startsWith('a')),
      ['a1+', 'a1-', 'a2+', 'a2-'],
    );
    assert.ok(order.indexOf('b1+') < order.indexOf('a1-'), 'another key does not wait');
  });

  it('releases the lock when the holder throws', async () => {
    const locks = new KeyedLock(true);
    await assert.rejects(locks.run('k', async () => Promise.reject(new Error('boom'))));
    assert.equal(await locks.run('k', async () => 42), 42);
    assert.equal(locks.size, 0);
  });
});
