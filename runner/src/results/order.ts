// How a run ordered its windows, in the words the CLI and the report both print.
import type { RunOptions } from './types.js';

/** "scenario order (…)" for an --order scenario run (idle targets frozen or running); null for the default order. */
export function describeOrder(o: Pick<RunOptions, 'order' | 'idleTargets'>): string | null {
  if (o.order !== 'scenario') return null;
  return `scenario order (every target up at once, the idle ones ${o.idleTargets ?? 'running'}, each scenario on all of them back to back)`;
}
