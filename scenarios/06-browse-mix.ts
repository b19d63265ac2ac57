// 06-browse-mix: a weighted user journey with think time — home, a category page (sometimes the next page),
// one to three product pages, sometimes a search, and one visit in four puts a product in a cart.
import { sleep } from 'k6';
import * as api from './lib/api.ts';
import { categories, info, productIds, searches } from './lib/data.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { int, page, pick, skewed, uniform } from './lib/random.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/06-browse-mix.json')) as Profile);
export const options = buildOptions(run, [
  'home',
  'plp',
  'search',
  'pdp',
  'cart-create',
  'cart-add',
  'cart-get',
]);
const think = run.profile.thinkTime ?? { min: 0.5, max: 1.5 };

export function setup(): void {
  if (__ENV['LAB_RUNNER'] !== '1') api.reset();
}

function pause(): void {
  sleep(uniform(think.min, think.max));
}

export default function (): void {
  api.home();
  pause();
  const c = pick(categories);
  const sort = pick(info.sorts);
  const p = page(c.pages);
  api.plp(c, sort, p);
  pause();
  if (Math.random() < 0.3 && p < c.pages) {
    api.plp(c, sort, p + 1);
    pause();
  }
  if (Math.random() < 0.2) {
    api.search(pick(searches));
    pause();
  }
  const views = int(1, 3);
  for (let i = 0; i < views; i++) {
    api.pdp(skewed(productIds.length));
    pause();
  }
  if (Math.random() < 0.25) {
    const cart = api.createCart();
    if (cart !== null && api.addItem(cart, pick(info.stocked), 1)) {
      pause();
      if (Math.random() < 0.5) api.getCart(cart);
    }
  }
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
