// 08-capacity: the product page of 03 under an open model — a constant arrival rate per step, rising step by
// step (each step its own k6 run). A step is sustained when p99 stays under the profile's SLO with no failed
// request and no dropped iteration; the capacity is the highest sustained rate. See docs/scenarios/08-capacity.md
// for why an open model is needed to see latency honestly (coordinated omission).
import * as api from './lib/api.ts';
import { productIds } from './lib/data.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { skewed } from './lib/random.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/08-capacity.json')) as Profile);
export const options = buildOptions(run);

export default function (): void {
  api.pdp(skewed(productIds.length));
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
