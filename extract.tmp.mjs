// Key figures of a run for the session's notes (read-only).
import { summarizeRun } from './runner/dist/src/stats/aggregate.js';
const dir = process.argv[2];
const s = summarizeRun(dir);
const med = (st, k) => st.stats[k]?.median ?? null;
const f = (v, d = 2) => (v === null || v === undefined ? '-' : Number(v).toFixed(d));
for (const c of s.cells) {
  const st = c.steps[0];
  console.log(`${c.scenario} ${c.target} n=${st.n} rps=${f(med(st, 'rps'), 0)} cpu/1k=${f(med(st, 'cpuPer1kReq'), 3)} p50=${f(med(st, 'p50'))} p99=${f(med(st, 'p99'))} ceil=${f((med(st, 'ceilingShare') ?? 0) * 100, 0)}% flags=${st.flags.join(',')}`);
}
for (const p of s.comparisons.filter((x) => ['rps', 'cpuPer1kReq', 'p50'].includes(x.metric))) {
  const pr = p.paired;
  console.log(`CMP ${p.scenario} ${p.a}/${p.b} ${p.metric} paired=${f(pr?.ratio, 3)} ±${f((pr?.halfWidth ?? NaN) * 100, 1)}% n=${pr?.n}`);
}
