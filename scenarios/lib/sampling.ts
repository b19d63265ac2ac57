/**
 * Which responses get their body checked. Reading a body into a JS string and comparing it costs k6 more than
 * sending the request (measured: docs/methodology.md, "Headroom"), so read paths check a sample:
 *
 * - the first LAB_CHECK_FIRST responses of every VU (default 5): every VU starts right after the runner's reset,
 *   so a target that is wrong from the start fails at once, even in a one-second run;
 * - then each response with probability 1/LAB_CHECK_EVERY (default 10), drawn at random so that no pattern in
 *   the target (every 100th answer wrong, one bad product id) can fall between the samples.
 *
 * A target wrong on a share q of its answers is caught unless every sampled answer misses: with S samples that
 * chance is (1 - q)^S. A 10 s run at 1,000 req/s samples ~1,000 answers, so at q = 1% the chance of missing is
 * 0.99^1000 ≈ 4e-5; any error status is counted on every request regardless (http_req_failed).
 * LAB_CHECK_EVERY=1 checks every body.
 */

function envInt(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (name === 'LAB_CHECK_FIRST' ? 0 : 1))
    throw new Error(
      `${name} must be a ${name === 'LAB_CHECK_FIRST' ? 'non-negative' : 'positive'} integer, got "${raw}"`,
    );
  return n;
}

export const CHECK_FIRST = envInt('LAB_CHECK_FIRST', 5);
export const CHECK_EVERY = envInt('LAB_CHECK_EVERY', 10);
const P = 1 / CHECK_EVERY;

/**
 * Calibration (the runner's null endpoint): the one body every answer must be, instead of the oracle's. Passed
 * by the runner, which owns the null server (runner/src/calibration/null-server.ts).
 */
export const calibrationBody: string | null = __ENV['LAB_NULL_BODY'] || null;

// Module state is per VU in k6: each VU counts its own responses.
let seen = 0;

export function sampleThis(): boolean {
  seen++;
  return seen <= CHECK_FIRST || Math.random() < P;
}
