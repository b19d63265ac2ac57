/**
 * Compose's `restart:` policy, read from docker-compose.yml and applied natively by the lab's supervisor
 * (lab/supervisor.ts) the way Docker's engine applies it: `no` never restarts, `always` and `unless-stopped`
 * restart on any exit, `on-failure[:N]` on a non-zero exit (a kill by a signal counts: Docker sees 128+n), at
 * most N times. Docker waits 100 ms before the first restart and doubles the wait each time; the wait starts
 * over once the service has run for 10 s.
 */
export type RestartPolicy =
  | { name: 'no' }
  | { name: 'always' }
  | { name: 'unless-stopped' }
  | { name: 'on-failure'; maxRetries: number | null };

export class RestartPolicyError extends Error {}

export function parseRestart(raw: unknown, where: string): RestartPolicy {
  if (raw === undefined || raw === '' || raw === 'no' || raw === false) return { name: 'no' };
  if (raw === 'always' || raw === 'unless-stopped') return { name: raw };
  const m = typeof raw === 'string' ? /^on-failure(?::(\d+))?$/.exec(raw) : null;
  if (m) return { name: 'on-failure', maxRetries: m[1] === undefined ? null : Number(m[1]) };
  throw new RestartPolicyError(
    `${where}: restart must be "no", "always", "unless-stopped" or "on-failure[:max-retries]", not ${JSON.stringify(raw)}`,
  );
}

/**
 * How a process ended. `unknown` when the lab did not spawn it in this process (./lab up exits after starting
 * a profile, so nothing can read the exit status): an exit nobody asked for is then taken as a failure.
 */
export type Exit = { code: number | null; signal: NodeJS.Signals | null } | 'unknown';

export function failed(exit: Exit): boolean {
  return exit === 'unknown' || exit.signal !== null || (exit.code ?? 1) !== 0;
}

/** Whether the policy restarts a service that ended this way after `restarts` restarts already. */
export function shouldRestart(p: RestartPolicy, exit: Exit, restarts: number): boolean {
  switch (p.name) {
    case 'no':
      return false;
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return failed(exit) && (p.maxRetries === null || restarts < p.maxRetries);
  }
}

export const FIRST_DELAY_MS = 100;
export const MAX_DELAY_MS = 60_000;
/** A service that ran this long is healthy again: the next restart waits the first delay again. */
export const RESET_AFTER_MS = 10_000;

/** The wait before a restart, given how many quick restarts (run shorter than RESET_AFTER_MS) came before. */
export function restartDelayMs(quickRestarts: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** quickRestarts);
}

export function describePolicy(p: RestartPolicy): string {
  return p.name === 'on-failure' && p.maxRetries !== null ? `on-failure:${p.maxRetries}` : p.name;
}
