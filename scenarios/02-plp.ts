// 02-plp: a category page — random category and sort, early pages more often than late ones.
import * as api from './lib/api.ts';
import { categories, info } from './lib/data.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { page, pick } from './lib/random.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/02-plp.json')) as Profile);
export const options = buildOptions(run);

export default function (): void {
  const c = pick(categories);
  api.plp(c, pick(info.sorts), page(c.pages));
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
