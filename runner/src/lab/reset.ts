/**
 * POST /api/admin/reset: stock back to the dataset's, carts and orders gone. The benchmark loop resets before every
 * run; the fault and cold-start runs reset a target that may still be coming back.
 */

/**
 * How a target that does not answer 204 is read:
 * - `running` (the benchmark loop): the target is up. One that does not answer has died, and a 4xx is final; a 5xx
 *   is a target still draining the backlog of an overload (a gateway's 503/504), retried.
 * - `recovering` (fault and cold-start runs): the target may still be restarting, so no answer and any status are
 *   retried until the deadline.
 * In both, a 401 is final (a wrong token does not heal) and the deadline is two minutes.
 */
export type ResetMode = 'running' | 'recovering';

/**
 * The deadline above, which the verify suite's resets get too: the first reset after a start may have a whole
 * session's carts and orders to delete.
 */
export const RESET_DEADLINE_MS = 120_000;
const RETRY_MS = { running: 2000, recovering: 1000 } as const;

export class ResetFailed extends Error {}

/** Resolves once the target answered 204; rejects with ResetFailed saying what it answered last. */
export async function resetTarget(baseUrl: string, token: string, mode: ResetMode): Promise<void> {
  const url = `${baseUrl}/api/admin/reset`;
  const deadline = Date.now() + RESET_DEADLINE_MS;
  for (let attempt = 1; ; attempt++) {
    const answer = await post(url, token, deadline);
    if (answer === 204) return;
    const what = typeof answer === 'number' ? `answered ${answer}` : `failed: ${answer.error}`;
    const final =
      answer === 401 ||
      Date.now() + RETRY_MS[mode] > deadline ||
      (mode === 'running' && (typeof answer !== 'number' || answer < 500));
    if (final) throw new ResetFailed(`POST ${url} ${what} (attempt ${attempt})`);
    await new Promise((r) => setTimeout(r, RETRY_MS[mode]));
  }
}

async function post(url: string, token: string, deadline: number): Promise<number | { error: string }> {
  try {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'x-lab-token': token },
      signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())),
    });
    await r.arrayBuffer().catch(() => undefined);
    return r.status;
  } catch (e) {
    return { error: (e as Error).message };
  }
}
