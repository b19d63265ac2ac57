// 13-published-workload: the load shape of Harper's published "Harper vs. Standard Microservices" benchmark —
// one page (home, a category page, a product page) per step at 20, 200 and 2,000 VUs, sleep(1) after every
// request, one minute per step — with this lab's verified bodies and budget. The step label names the page.
import { sleep } from 'k6';
import * as api from './lib/api.ts';
import { categories, info, productIds } from './lib/data.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { pick, skewed } from './lib/random.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/13-published-workload.json')) as Profile);
export const options = buildOptions(run);

const PAGES: Record<string, () => void> = {
  home: () => api.home(),
  // The published PLP was a category's first page: a random category, its default (first) sort, page 1.
  plp: () => api.plp(pick(categories), info.sorts[0]!, 1),
  pdp: () => api.pdp(skewed(productIds.length)),
};
function pageOf(step: string): () => void {
  const page = PAGES[step.split('-')[0]!];
  if (!page) {
    throw new Error(
      `13-published-workload: step "${step}" names no page (home-, plp- or pdp-): run its profile's steps, not --vus`,
    );
  }
  return page;
}
const page = pageOf(run.step);

export default function (): void {
  page();
  sleep(1);
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
