// 10-fault-injection: a steady open-model load (constant arrival rate, below every target's capacity) of product
// pages (80%) and one-line checkouts of a few hot products (20%), during which the runner (runner/src/faults/)
// kills or pauses one process of the target. Every product-page route and the whole write path of every target
// is exercised, so whichever process is hit, some requests need it. The checkouts buy the most popular stocked
// products so that they sell out during the run: an oversell after a restart would show in the post-run audit.
// Each checkout flow's samples carry the product and quantity as tags, so the runner can replay the orders the
// target confirmed (201) on the oracle. Run alone (no fault) it is the baseline of the same load.
import exec from 'k6/execution';
import * as api from './lib/api.ts';
import { info, productIds } from './lib/data.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { int, pick, skewed } from './lib/random.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/10-fault-injection.json')) as Profile);
export const options = buildOptions(run);
const HOT = info.stocked.slice(0, 8);

export function setup(): void {
  if (__ENV['LAB_RUNNER'] !== '1') api.reset();
}

function buy(): void {
  const productId = pick(HOT);
  const quantity = int(1, 2);
  const tags = exec.vu.metrics.tags;
  tags['product'] = productId;
  tags['quantity'] = quantity;
  try {
    const cart = api.createCart();
    if (cart !== null && api.addItem(cart, productId, quantity)) api.checkout(cart);
  } finally {
    delete tags['product'];
    delete tags['quantity'];
  }
}

export default function (): void {
  if (Math.random() < 0.8) api.pdp(skewed(productIds.length));
  else buy();
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
