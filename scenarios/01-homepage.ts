// 01-homepage: GET /api/home — every category and the 8 most-reviewed products, the site's front page.
import * as api from './lib/api.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/01-homepage.json')) as Profile);
export const options = buildOptions(run);

export default function (): void {
  api.home();
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
