import { summarizeRun } from './runner/dist/src/stats/aggregate.js';
const s = summarizeRun(process.argv[2]);
for (const c of s.cells) {
  const st = c.steps[0];
  console.log(`${c.scenario} ${c.target} rps=[${st.values.rps.map((v) => v?.toFixed(0)).join(' ')}] cpu/1k=[${st.values.cpuPer1kReq.map((v) => v?.toFixed(3)).join(' ')}] probe=[${st.values.probeMs?.map((v) => v?.toFixed(2)).join(' ')}]`);
}
