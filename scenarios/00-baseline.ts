// 00-baseline: GET /health in a closed loop — the framework's floor (routing, serialisation, no data).
import * as api from './lib/api.ts';
import { buildOptions, type Profile, resolve } from './lib/profile.ts';
import { summarize } from './lib/summary.ts';

const run = resolve(JSON.parse(open('./profiles/00-baseline.json')) as Profile);
export const options = buildOptions(run);

export default function (): void {
  api.health();
}

export function handleSummary(data: Parameters<typeof summarize>[1]): ReturnType<typeof summarize> {
  return summarize(run, data);
}
