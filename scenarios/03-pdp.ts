// 03-pdp: a product page — ids drawn from a skewed (popular-first) distribution over every product.
import * as api from './lib/api.ts';
import { productIds } from './lib/data.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { skewed } from './lib/random.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/03-pdp.json')) as Profile);
export const options = buildOptions(run);

export default function (): void {
  api.pdp(skewed(productIds.length));
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
