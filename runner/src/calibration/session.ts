/** The runner's calibration step: the k6 ceiling measured once per session, before any target starts. */
import type { ScenarioEntry } from '../scenarios/plan.js';
import { runK6 } from '../k6/k6.js';
import type { Lab } from '../lab/launcher.js';
import { calibrate } from './calibrate.js';
import { type Calibration } from '../results/types.js';

export async function measureCeiling(o: {
  lab: Lab;
  k6: string;
  dataFile: string;
  runDir: string;
  script: ScenarioEntry;
  quick: boolean;
  log: (line: string) => void;
}): Promise<Calibration> {
  const duration = o.quick ? '3s' : '10s';
  o.log(
    `calibration: k6 against the null endpoint (${o.script.name}, ${duration}) for the load generator's ceiling…`,
  );
  const c = await calibrate({
    runK6,
    k6: { lab: o.lab, k6: o.k6, loadgenCpuset: o.lab.budget.loadgenCpuset },
    script: o.script.file,
    dataFile: o.dataFile,
    dir: o.runDir,
    sutCpuset: o.lab.budget.sutCpuset,
    vus: o.script.profile.vus ?? 50,
    duration,
  });
  o.log(
    `calibration: ceiling ${Math.round(c.ceilingRps)} req/s (measured ${Math.round(c.rps)} req/s` +
      (c.loadgenCpuShare !== null
        ? ` with k6 at ${Math.round(c.loadgenCpuShare * 100)}% of its cores)`
        : ')') +
      (c.checksFailed ? ` — ${c.checksFailed} checks failed against the null endpoint` : ''),
  );
  return c;
}
