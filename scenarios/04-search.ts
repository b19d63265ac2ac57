// 04-search: GET /api/search with queries built from the dataset's own words; about 1 in 10 matches nothing.
import * as api from './lib/api.ts';
import { searches } from './lib/data.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { pick } from './lib/random.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/04-search.json')) as Profile);
export const options = buildOptions(run);

export default function (): void {
  api.search(pick(searches));
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
