/**
 * `./lab setup`, the first half of the README's test command: after runner/bin/setup-preflight (root, apt-get,
 * Node, Go) and the npm install and build, installs every tool the tests and a benchmark run need — Debian
 * packages with one `apt-get update` first, the Go- and Maven-built tools at their pinned versions under
 * .lab/tools — and fails when any of them is still missing.
 */
import { type DoctorRow, doctor, doctorTools, type ToolContext } from './tools.js';

export interface SetupResult {
  rows: DoctorRow[];
  /** Required tools that are still missing after the install, with the reason. */
  missing: DoctorRow[];
}

export async function setup(ctx: ToolContext): Promise<SetupResult> {
  const required = doctorTools()
    .filter((t) => !t.optional)
    .map((t) => t.name);
  const rows = await doctor(ctx, true, required);
  return { rows, missing: rows.filter((r) => !r.found) };
}
