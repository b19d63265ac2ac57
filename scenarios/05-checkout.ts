// 05-checkout: the write path — create a cart, add 1–3 products, check out. Stock is reset before each run
// (by the runner; by setup() when k6 runs this file alone). Once stock runs low, 409 insufficient_stock is a
// correct answer: counted in stock_conflicts, not as an error.
import * as api from './lib/api.ts';
import { info } from './lib/data.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { int, pick } from './lib/random.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/05-checkout.json')) as Profile);
export const options = buildOptions(run, ['cart-create', 'cart-add', 'checkout']);

export function setup(): void {
  if (__ENV['LAB_RUNNER'] !== '1') api.reset();
}

export default function (): void {
  const cart = api.createCart();
  if (cart === null) return;
  const lines = int(1, 3);
  for (let i = 0; i < lines; i++) {
    if (!api.addItem(cart, pick(info.stocked), int(1, 2))) return;
  }
  api.checkout(cart);
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
