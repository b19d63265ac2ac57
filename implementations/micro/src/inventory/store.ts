import type { Dataset } from '@lab/contract';
import { type Collection, type Db, MongoServerError } from 'mongodb';
import { type KeyedLock, updateIf } from '../lib/locks.js';
import { dropIfExists, ensureIndexes, insertInBatches } from '../lib/mongo.js';
import { align } from '../lib/params.js';

export interface StockDoc {
  _id: number;
  available: number;
  /** The dataset's stock, kept beside the live value so that reset needs no dataset in memory. */
  initial: number;
  /**
   * Units taken by reservations not yet committed, by reservation id, written in the same update that takes
   * them: giving back is conditional on the hold, so it is idempotent, and a reservation whose reserving call
   * died half-way can be given back exactly (expireStale). Commit drops the hold.
   */
  holds?: Record<string, number>;
}

export interface ReservationLine {
  productId: number;
  quantity: number;
}

/**
 * pending -> reserved -> committed (the order exists), or -> released (compensated: stock given back).
 * pending -> cancelled when a release arrives while the reservation is still being applied; the reserving call
 * then gives the stock back itself and ends in released. A release of an unknown id leaves a released
 * tombstone, so a reserve call that arrives late (after its caller timed out and compensated) is a no-op.
 */
export type ReservationState = 'pending' | 'reserved' | 'committed' | 'released' | 'cancelled';

export interface ReservationDoc {
  _id: string;
  items: ReservationLine[];
  state: ReservationState;
  failedProductId?: number;
  createdAt: Date;
  updatedAt: Date;
}

export type ReserveOutcome =
  | { ok: true }
  | { ok: false; reason: 'insufficient'; productId: number }
  | { ok: false; reason: 'released' }
  /** The caller's deadline passed before every line was taken: nothing kept. */
  | { ok: false; reason: 'expired' };

export const COLLECTIONS = ['stock', 'reservations'] as const;
const STATES: readonly ReservationState[] = ['pending', 'reserved', 'committed', 'released', 'cancelled'];

const isDuplicateKey = (e: unknown) => e instanceof MongoServerError && e.code === 11000;

/**
 * inventory owns stock and reservations. Stock only moves through reservations, with conditional atomic
 * updates ({available: {$gte: q}} + $inc): no multi-document transaction anywhere.
 */
export class InventoryStore {
  readonly stock: Collection<StockDoc>;
  readonly reservations: Collection<ReservationDoc>;

  constructor(
    readonly db: Db,
    private readonly locks: KeyedLock,
  ) {
    this.stock = db.collection<StockDoc>('stock');
    this.reservations = db.collection<ReservationDoc>('reservations');
  }

  async ensureIndexes(): Promise<void> {
    // stock: _id only (single, batch and conditional updates by product id).
    await ensureIndexes(this.reservations, [{ key: { state: 1, updatedAt: 1 }, name: 'state_updated' }]);
  }

  async load(d: Dataset, batch: number): Promise<void> {
    await insertInBatches(this.stock, d.inventory.length, batch, (from, to) =>
      d.inventory
        .slice(from, to)
        .map((i) => ({ _id: i.productId, available: i.available, initial: i.available })),
    );
  }

  async available(id: number): Promise<number | null> {
    const d = await this.stock.findOne({ _id: id }, { projection: { available: 1 } });
    return d ? d.available : null;
  }

  async availableBatch(ids: readonly number[]): Promise<(number | null)[]> {
    if (ids.length === 0) return [];
    const rows = await this.stock
      .find({ _id: { $in: [...ids] } }, { projection: { available: 1 } })
      .toArray();
    return align(ids, rows).map((d) => (d ? d.available : null));
  }

  // ---- writes: every single-document write goes through the document's lock (a no-op on MongoDB) ----------

  private take(id: string, productId: number, quantity: number, deadline?: number) {
    return updateIf(
      this.locks,
      this.stock,
      `stock:${productId}`,
      { _id: productId, available: { $gte: quantity } },
      { $inc: { available: -quantity }, $set: { [`holds.${id}`]: quantity } },
      deadline,
    );
  }

  /** Gives back what reservation `id` holds on a product; a no-op when it holds nothing (given back already). */
  private give(id: string, productId: number, quantity: number): Promise<unknown> {
    const hold = `holds.${id}`;
    return this.locks.run(`stock:${productId}`, () =>
      this.stock.updateOne(
        { _id: productId, [hold]: { $exists: true } },
        { $inc: { available: quantity }, $unset: { [hold]: '' } },
      ),
    );
  }

  private giveAll(id: string, items: readonly ReservationLine[], taken?: readonly unknown[]) {
    return Promise.all(
      items.map((l, i) => (taken && taken[i] !== true ? undefined : this.give(id, l.productId, l.quantity))),
    );
  }

  private async transition(id: string, from: ReservationState, to: ReservationState, extra: object = {}) {
    return (
      true ===
      (await updateIf(
        this.locks,
        this.reservations,
        `res:${id}`,
        { _id: id, state: from },
        { $set: { state: to, updatedAt: new Date(), ...extra } },
      ))
    );
  }

  /**
   * All-or-nothing reservation of every line, idempotent per id. Lines are taken in parallel; when any line
   * lacks stock the taken ones are given back and the answer names the first line, in the caller's order,
   * that lacked stock.
   */
  async reserve(id: string, items: readonly ReservationLine[], deadline?: number): Promise<ReserveOutcome> {
    const now = new Date();
    try {
      await this.reservations.insertOne({
        _id: id,
        items: [...items],
        state: 'pending',
        createdAt: now,
        updatedAt: now,
      });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      return this.replay(id);
    }
    const taken = await Promise.all(items.map((l) => this.take(id, l.productId, l.quantity, deadline)));
    if (taken.includes('expired')) {
      await this.giveAll(id, items, taken);
      if (!(await this.transition(id, 'pending', 'released')))
        await this.transition(id, 'cancelled', 'released');
      return { ok: false, reason: 'expired' };
    }
    const firstMissing = taken.indexOf(false);
    if (firstMissing === -1) {
      if (await this.transition(id, 'pending', 'reserved')) return { ok: true };
      // A release arrived meanwhile (state cancelled): give everything back.
      await this.giveAll(id, items);
      await this.transition(id, 'cancelled', 'released');
      return { ok: false, reason: 'released' };
    }
    await this.giveAll(id, items, taken);
    const productId = items[firstMissing]!.productId;
    if (!(await this.transition(id, 'pending', 'released', { failedProductId: productId }))) {
      await this.transition(id, 'cancelled', 'released', { failedProductId: productId });
    }
    return { ok: false, reason: 'insufficient', productId };
  }

  /** The outcome of an id seen before (a retried call). */
  private async replay(id: string): Promise<ReserveOutcome> {
    const d = await this.reservations.findOne({ _id: id }, { projection: { state: 1, failedProductId: 1 } });
    if (d && (d.state === 'reserved' || d.state === 'committed')) return { ok: true };
    if (d?.failedProductId !== undefined)
      return { ok: false, reason: 'insufficient', productId: d.failedProductId };
    return { ok: false, reason: 'released' };
  }

  /** reserved -> committed; idempotent. False when the reservation is not (or no longer) reserved. */
  async commit(id: string): Promise<boolean> {
    if (!(await this.transition(id, 'reserved', 'committed'))) {
      const d = await this.reservations.findOne({ _id: id }, { projection: { state: 1 } });
      return d?.state === 'committed';
    }
    // The units are sold: drop the holds (one command), so stock documents do not grow with every order.
    const d = await this.reservations.findOne({ _id: id }, { projection: { items: 1 } });
    const ids = (d?.items ?? []).map((l) => l.productId);
    const unset = { $unset: { [`holds.${id}`]: '' as const } };
    if (this.locks.enabled) {
      // FerretDB rewrites whole documents: an unlocked write could undo a concurrent take's decrement (oversell).
      await Promise.all(
        ids.map((p) => this.locks.run(`stock:${p}`, () => this.stock.updateOne({ _id: p }, unset))),
      );
    } else {
      await this.stock.updateMany({ _id: { $in: ids } }, unset);
    }
    return true;
  }

  /**
   * Compensation: gives the stock of a reserved reservation back. Idempotent, and safe in any order with the
   * reserve call it compensates (see ReservationState). False only for a committed reservation.
   */
  async release(id: string): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await this.reservations.findOne({ _id: id }, { projection: { items: 1, state: 1 } });
      // Give back first, then mark released: a crash in between leaves a reserved reservation, released again
      // by the retried call or orders' recovery sweep; the gives are idempotent (holds).
      if (r?.state === 'reserved') await this.giveAll(id, r.items);
      if (await this.transition(id, 'reserved', 'released')) return true;
      if (await this.transition(id, 'pending', 'cancelled')) return true;
      const d = await this.reservations.findOne({ _id: id }, { projection: { state: 1 } });
      if (d) return d.state !== 'committed';
      const now = new Date();
      try {
        await this.reservations.insertOne({
          _id: id,
          items: [],
          state: 'released',
          createdAt: now,
          updatedAt: now,
        });
        return true;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        // The reserve call inserted it just now: look again.
      }
    }
    return false;
  }

  /**
   * Reservation expiry: a reservation still pending or cancelled `staleMs` after its last change lost its
   * reserving call (the process died mid-reserve; a live call is bounded by its caller's deadline). Whatever
   * it still holds is given back and it ends released, so a crash leaks no stock until the next reset.
   */
  async expireStale(staleMs: number): Promise<number> {
    const stale = await this.reservations
      .find(
        { state: { $in: ['pending', 'cancelled'] }, updatedAt: { $lt: new Date(Date.now() - staleMs) } },
        { projection: { items: 1, state: 1 }, limit: 100 },
      )
      .toArray();
    for (const r of stale) {
      await this.giveAll(r._id, r.items);
      await this.transition(r._id, r.state, 'released');
    }
    return stale.length;
  }

  async stateCounts(): Promise<Record<ReservationState, number>> {
    const rows = await this.reservations
      .aggregate<{ _id: ReservationState; n: number }>([{ $group: { _id: '$state', n: { $sum: 1 } } }])
      .toArray();
    const out = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<ReservationState, number>;
    for (const r of rows) out[r._id] = r.n;
    return out;
  }

  /**
   * The stock ledger check: for every product any reservation touched, available must equal the dataset's
   * stock minus the committed quantities, and nothing may be left pending, reserved or cancelled. Returns the
   * mismatches (empty when consistent). Ops/tests only: it reads every reservation.
   */
  async audit(): Promise<{
    states: Record<ReservationState, number>;
    products: number;
    mismatches: { productId: number; available: number; expected: number }[];
  }> {
    const states = await this.stateCounts();
    const committed = new Map<number, number>();
    for await (const r of this.reservations.find({}, { projection: { items: 1, state: 1 } })) {
      for (const l of r.items) {
        const q = r.state === 'committed' ? l.quantity : 0;
        committed.set(l.productId, (committed.get(l.productId) ?? 0) + q);
      }
    }
    const ids = [...committed.keys()];
    const mismatches: { productId: number; available: number; expected: number }[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      for (const s of await this.stock.find({ _id: { $in: chunk } }).toArray()) {
        const expected = s.initial - committed.get(s._id)!;
        if (s.available !== expected) mismatches.push({ productId: s._id, available: s.available, expected });
      }
    }
    return { states, products: ids.length, mismatches };
  }

  /**
   * Restores the dataset's stock and forgets every reservation. Only products some reservation touched can
   * differ from the dataset (stock moves only through reservations), so reset costs O(touched), not O(catalog).
   */
  async reset(): Promise<void> {
    const touched = new Set<number>();
    for await (const r of this.reservations.find({}, { projection: { items: 1 } })) {
      for (const l of r.items) touched.add(l.productId);
    }
    const ids = [...touched];
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const rows = await this.stock
        .find({ _id: { $in: chunk } }, { projection: { available: 1, initial: 1, holds: 1 } })
        .toArray();
      // One updateOne command per product, not one bulkWrite: FerretDB v1 on PostgreSQL holds a pooled
      // connection for each statement of a multi-statement update until the command ends, so a bulk of more
      // statements than its pool deadlocks the whole server for good (measured: 200 statements). One at a
      // time restores all 1,200 products in ~1.6 s on the lab's budget; on mongod it is as correct.
      for (const s of rows) {
        if (s.available !== s.initial || s.holds !== undefined) {
          await this.stock.updateOne(
            { _id: s._id },
            { $set: { available: s.initial }, $unset: { holds: '' } },
          );
        }
      }
    }
    await dropIfExists(this.db, 'reservations');
    await this.ensureIndexes();
  }
}
