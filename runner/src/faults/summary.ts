/**
 * The fault scenario's table, rendered from its run files (never typed): per victim and fault, medians over
 * runs of the error rate during the fault, the times to first success and to p99 under the SLO, the requests
 * lost, and the audit's totals over all runs (oversold and lost units must be 0).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJson } from '../lib/files.js';
import { median, rangeCell } from '../resilience/cells.js';
import { type FaultRunFile, SCENARIO } from './fault-run.js';

export function readFaultRuns(runDir: string): FaultRunFile[] {
  const out: FaultRunFile[] = [];
  if (!existsSync(runDir)) return out;
  for (const target of readdirSync(runDir)) {
    const dir = join(runDir, target, SCENARIO);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort())
      if (/^[a-z0-9-]+-(kill|pause)-\d+\.json$/.test(f)) out.push(readJson<FaultRunFile>(join(dir, f)));
  }
  return out;
}

export function renderFaultTable(runs: FaultRunFile[]): string {
  const groups = new Map<string, FaultRunFile[]>();
  for (const r of runs) {
    // Pauses of different lengths are different faults: one row each.
    const k = `${r.target}\u0000${r.victim}\u0000${r.fault}\u0000${r.pauseSeconds ?? ''}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const rows = [
    '| target | victim | fault | runs | error rate during fault | to first success, ms | to p99 ≤ SLO, ms | requests lost | oversold units | lost units | unacknowledged units |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const g of groups.values()) {
    const r0 = g[0]!;
    const sum = (f: (r: FaultRunFile) => number) => g.reduce((s, r) => s + f(r), 0);
    const err = median(g.map((r) => r.recovery.during.errorRate));
    rows.push(
      `| ${r0.target} | ${r0.victim} | ${r0.fault === 'pause' ? `pause ${r0.pauseSeconds} s` : 'SIGKILL'} | ${g.length} | ` +
        `${err === null ? '-' : `${(err * 100).toFixed(1)}%`} | ${rangeCell(g.map((r) => r.recovery.timeToFirstSuccessMs))} | ` +
        `${rangeCell(g.map((r) => r.recovery.timeToSloMs))} | ${rangeCell(g.map((r) => r.recovery.requestsLost))} | ` +
        `${sum((r) => r.audit.oversoldUnits)} | ${sum((r) => r.audit.lostUnits)} | ${sum((r) => r.audit.unacknowledgedUnits)} |`,
    );
  }
  return `${rows.join('\n')}\n`;
}
