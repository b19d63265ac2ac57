/** Scenario 11's table, rendered from its run files: medians (and range) over repetitions. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJson } from '../lib/files.js';
import { rangeCell as cell } from '../resilience/cells.js';
import { type ColdStartFile, SCENARIO } from './cold-start.js';

export function readColdStarts(runDir: string): ColdStartFile[] {
  const out: ColdStartFile[] = [];
  if (!existsSync(runDir)) return out;
  for (const target of readdirSync(runDir)) {
    const dir = join(runDir, target, SCENARIO);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort())
      if (/^(start|crash)-\d+\.json$/.test(f)) out.push(readJson<ColdStartFile>(join(dir, f)));
  }
  return out;
}

/** Summed over repetitions; – when no file counted them (written before the count existed). */
function failures(g: ColdStartFile[]): string {
  const counted = g.map((f) => f.steadyFailures).filter((n): n is number => n !== undefined);
  return counted.length ? counted.reduce((a, b) => a + b, 0).toLocaleString('en-US') : '–';
}

export function renderColdStartTable(files: ColdStartFile[]): string {
  const groups = new Map<string, ColdStartFile[]>();
  for (const f of files)
    groups.set(`${f.target} ${f.mode}`, [...(groups.get(`${f.target} ${f.mode}`) ?? []), f]);
  const rows = [
    '| target | start | reps | to first correct 200, ms | to `up` done, ms | steady p99, ms | to steady p99, ms | failed after the first 200 |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const g of groups.values()) {
    const f0 = g[0]!;
    rows.push(
      `| ${f0.target} | ${f0.mode === 'crash' ? 'after SIGKILL' : 'clean stop'} | ${g.length} | ` +
        `${cell(g.map((f) => f.firstOkMs))} | ${cell(g.map((f) => f.upMs))} | ${cell(g.map((f) => f.steadyP99Ms))} | ` +
        `${cell(g.map((f) => f.timeToSteadyMs))} | ${failures(g)} |`,
    );
  }
  return `${rows.join('\n')}\n\nCells: median (min–max) over repetitions; times from the runner's timestamp t0 (\`up\` called); failed after the first 200: answers of the steady phase that were not the correct page, summed over repetitions (they give no latency sample). Every start keeps the target's data dir; a database without one (mongo-java-server's memory backend, microlith's and micro's default) loads the dataset again at every start.\n`;
}
