/**
 * Where the CPU goes: for a target made of several processes (micro's BFF and services and its database,
 * mono's Node workers and PostgreSQL, …), CPU ms per request of each service beside the total, from the cgroup
 * of each service (resources-NN.json). Medians over runs. The services are whatever the target's cgroups name.
 */
import type { CellSummary } from '../stats/aggregate.js';
import { mdTable, num } from './format.js';

export function serviceTable(cells: CellSummary[]): string {
  const withServices = cells.filter((c) => c.steps.some((s) => Object.keys(s.services).length > 0));
  if (withServices.length === 0) return '';
  const multiStep = withServices.some((c) => c.steps.length > 1);
  const rows: string[][] = [];
  for (const c of withServices) {
    for (const s of c.steps) {
      const names = Object.keys(s.services);
      if (names.length === 0) continue;
      const parts = names
        .map((n) => ({ n, ms: s.services[n]!.stats?.median ?? null }))
        .sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0));
      const total = s.stats.cpuPer1kReq?.median ?? null;
      rows.push([
        c.target,
        ...(multiStep ? [s.step] : []),
        num(total, 3),
        parts
          .map(
            ({ n, ms }) =>
              `${n} ${num(ms, 3)}${total && ms !== null ? ` (${Math.round((ms / total) * 100)}%)` : ''}`,
          )
          .join(' · '),
      ]);
    }
  }
  const head = [
    'target',
    ...(multiStep ? ['step'] : []),
    'CPU ms / req (total)',
    'per service: ms / req (share)',
  ];
  return (
    `CPU per request by service (median over runs; from each service's cgroup):\n\n` +
    mdTable(
      head,
      rows,
      head.map((h, i) => (i === 0 || h === 'step' || h.startsWith('per service') ? 'l' : 'r')),
    )
  );
}
