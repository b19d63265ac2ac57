// 07-concurrency-sweep: the product page of 03 at 20, 200 and 2,000 VUs (closed model, no think time): the
// published benchmark's matrix, with a request timeout, checks and full percentiles. Each step is its own k6
// run (LAB_STEP / LAB_VUS from the runner), so each has its own CPU and memory figures.
import * as api from './lib/api.ts';
import { productIds } from './lib/data.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { skewed } from './lib/random.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/07-concurrency-sweep.json')) as Profile);
export const options = buildOptions(run);

export default function (): void {
  api.pdp(skewed(productIds.length));
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
