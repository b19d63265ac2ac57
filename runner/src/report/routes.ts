/** Mixed scenarios (05, 06): each route's share of the load, latency over its successes, and its errors. */
import type { CellSummary } from '../stats/aggregate.js';
import { mdTable, num } from './format.js';

export function routeTable(cells: CellSummary[]): string {
  const rows: string[][] = [];
  for (const c of cells)
    for (const s of c.steps)
      for (const [name, r] of Object.entries(s.routes))
        rows.push([
          c.target,
          name,
          num(r.rps, 0),
          num(r.p50),
          num(r.p99),
          String(r.failedRequests),
          String(r.checksFailed),
        ]);
  if (rows.length === 0) return '';
  return (
    'Per route (medians over runs; latency over successful requests; errors and failed checks summed over runs):\n\n' +
    mdTable(['target', 'route', 'req/s', 'p50 ms', 'p99 ms', 'failed requests', 'failed checks'], rows, [
      'l',
      'l',
      'r',
      'r',
      'r',
      'r',
      'r',
    ])
  );
}
