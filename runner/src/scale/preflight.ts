/** Which of the asked-for scales a target can run here, asked of its tools before anything starts. */
import type { LabTarget } from '../lab/compose.js';
import { ToolError } from '../lab/tools.js';
import type { RefusedScale } from './report.js';
import { labAtScale } from './seed-time.js';

/**
 * Asks the target's tools, before anything starts, whether each scale can run here (mongo-java-server holds the
 * dataset in its heap and refuses scales that do not fit the memory share): a refused scale is recorded with its
 * reason and skipped, rather than failing the run after the scales before it.
 */
export async function refusedScales(
  root: string,
  target: LabTarget,
  scales: number[],
  log: (l: string) => void,
): Promise<RefusedScale[]> {
  const refused: RefusedScale[] = [];
  for (const scale of scales) {
    try {
      await labAtScale(root, scale, log).ensureTools(target.profile);
    } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      log(`scale ${scale} is not run: ${e.message}`);
      refused.push({ scale, reason: e.message });
    }
  }
  return refused;
}
