// 09-network-latency: the product page of 03 (the page with the most internal hops), same load, while the runner
// adds 0, 0.25, 1 and 5 ms of round-trip latency to every internal hop of the target (BFF↔services,
// app↔database) through its latency injector. Each step is its own k6 run (LAB_STEP from the runner).
import * as api from './lib/api.ts';
import { productIds } from './lib/data.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { skewed } from './lib/random.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/09-network-latency.json')) as Profile);
export const options = buildOptions(run);

export default function (): void {
  api.pdp(skewed(productIds.length));
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
