/**
 * Why requests failed: for every step with failed requests, their count by kind (timeout, refused, reset,
 * http-5xx, …: scenarios/lib/errors.ts), summed over runs. A 503 answered at once, a client that gave up after
 * 10 s and a connection the kernel refused are different findings about a target; the error rate alone hides
 * which one a cell shows.
 */
import type { CellSummary } from '../stats/aggregate.js';
import { mdTable } from './format.js';

export function errorKindTable(cells: CellSummary[]): string {
  const failing = cells.flatMap((c) =>
    c.steps
      .filter((s) => s.errorKinds && Object.keys(s.errorKinds).length > 0)
      .map((s) => ({ target: c.target, step: s.step, kinds: s.errorKinds! })),
  );
  if (failing.length === 0) return '';
  const totals = new Map<string, number>();
  for (const f of failing)
    for (const [k, n] of Object.entries(f.kinds)) totals.set(k, (totals.get(k) ?? 0) + n);
  const kinds = [...totals.keys()].sort((a, b) => totals.get(b)! - totals.get(a)! || a.localeCompare(b));
  const multiStep = cells.some((c) => c.steps.length > 1);
  const rows = failing.map((f) => [
    f.target,
    ...(multiStep ? [f.step] : []),
    Object.values(f.kinds)
      .reduce((a, n) => a + n, 0)
      .toLocaleString('en-US'),
    ...kinds.map((k) => (f.kinds[k] ?? 0).toLocaleString('en-US')),
  ]);
  const head = ['target', ...(multiStep ? ['step'] : []), 'failed requests', ...kinds];
  return (
    'Failed requests by kind (summed over runs; k6 error codes: `timeout` no answer within 10 s, `refused` and ' +
    '`connect-timeout` the connection never opened, `reset` closed under a request, `http-5xx` an error answer):\n\n' +
    mdTable(
      head,
      rows,
      head.map((h, i) => (i === 0 || h === 'step' ? 'l' : 'r')),
    )
  );
}
