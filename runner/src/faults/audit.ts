/**
 * The post-run data audit of the fault scenario: the orders the target confirmed (201) are replayed on the
 * oracle, then every product they bought is read from the target and compared with the oracle. Per product,
 * target stock above the oracle's means confirmed sales were lost (a committed order undone by the crash);
 * below it, sales the client never saw confirmed (committed while the answer was lost: not data loss, but
 * counted); a confirmed order the oracle must refuse for lack of stock, or a negative stock, is overselling.
 */
import { generateDataset, Oracle } from '@lab/contract';

export interface OrderLine {
  product: number;
  quantity: number;
}

export interface StockMismatch {
  productId: number;
  expected: number;
  actual: number | null;
}

export interface Audit {
  confirmedOrders: number;
  confirmedUnits: number;
  productsChecked: number;
  /** Units confirmed beyond the stock there was (or stock below zero, whichever is more). */
  oversoldUnits: number;
  /** Units of confirmed orders the target no longer accounts for (all of them when the product is gone). */
  lostUnits: number;
  /** Units the target sold without the client seeing a 201. */
  unacknowledgedUnits: number;
  /** Product pages not byte-identical to the oracle's. */
  pageMismatches: number;
  mismatches: StockMismatch[];
}

/** A product page, retried for up to 30 s while the target is still recovering (no answer, or a 5xx). */
async function readPage(baseUrl: string, id: number): Promise<{ text: string; available: number | null }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${baseUrl}/api/products/${id}`, { signal: AbortSignal.timeout(10_000) });
      const text = await r.text();
      if (r.status < 500 || Date.now() > deadline) return { text, available: availableIn(r.status, text) };
    } catch (e) {
      if (Date.now() > deadline) return { text: `no answer: ${(e as Error).message}`, available: null };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function availableIn(status: number, text: string): number | null {
  try {
    const a = (JSON.parse(text) as { inventory?: { available?: unknown } }).inventory?.available;
    return status === 200 && typeof a === 'number' ? a : null;
  } catch {
    return null;
  }
}

function unitsOf(lines: OrderLine[], product: number): number {
  return lines.filter((l) => l.product === product).reduce((n, l) => n + l.quantity, 0);
}

export async function auditStock(o: {
  baseUrl: string;
  seed: number;
  scale: number;
  confirmed: OrderLine[];
}): Promise<Audit> {
  const oracle = new Oracle(generateDataset({ seed: o.seed, scale: o.scale }), { adminToken: 'audit' });
  let oversold = 0;
  const order = (product: number, quantity: number) => {
    const cart = oracle.createCart().body!.id;
    oracle.addParsedItem(cart, { productId: product, quantity });
    return oracle.checkout(cart).status === 201;
  };
  for (const line of o.confirmed) {
    if (order(line.product, line.quantity)) continue;
    // Scenario 10's orders have one line: what was left is sold, the rest was never there.
    const left = oracle.available(line.product);
    if (left > 0) order(line.product, left);
    oversold += line.quantity - left;
  }
  const ids = [...new Set(o.confirmed.map((l) => l.product))].sort((a, b) => a - b);
  const audit: Audit = {
    confirmedOrders: o.confirmed.length,
    confirmedUnits: o.confirmed.reduce((s, l) => s + l.quantity, 0),
    productsChecked: ids.length,
    oversoldUnits: oversold,
    lostUnits: 0,
    unacknowledgedUnits: 0,
    pageMismatches: 0,
    mismatches: [],
  };
  let negative = 0;
  for (const id of ids) {
    const page = await readPage(o.baseUrl, id);
    const expected = oracle.available(id);
    if (page.text !== JSON.stringify(oracle.product(String(id)).body)) audit.pageMismatches++;
    if (page.available === expected) continue;
    audit.mismatches.push({ productId: id, expected, actual: page.available });
    // A product the target no longer serves (a database restarted empty: an in-memory server) accounts for none
    // of the sales confirmed on it.
    if (page.available === null) {
      audit.lostUnits += unitsOf(o.confirmed, id);
      continue;
    }
    if (page.available < 0) negative += -page.available;
    if (page.available > expected) audit.lostUnits += page.available - expected;
    else audit.unacknowledgedUnits += expected - Math.max(0, page.available);
  }
  // Units confirmed beyond the stock usually show as negative stock too: the same units, counted once.
  audit.oversoldUnits = Math.max(oversold, negative);
  return audit;
}
