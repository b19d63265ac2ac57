/**
 * The fault injector. It signals only processes the lab itself started for a profile: the PID recorded in the
 * lab's state and the PIDs inside that service's own cgroup, never a process found by name.
 *
 * kill:  SIGKILL the service's main process (what an OOM kill or a crash looks like); the restart policy's
 *        supervisor (lab/supervisor.ts) brings it back.
 * pause: SIGSTOP every process of the service (as `docker pause` freezes a container), wait, SIGCONT them all:
 *        a process that hangs without dying (a long GC pause, a stuck disk, a VM stall).
 */
import { isAlive, type Lab } from '../lab/launcher.js';
import { readState } from '../lab/paths.js';
import { signalAll } from '../lab/pid.js';

export class FaultError extends Error {}

export type FaultKind = 'kill' | 'pause';

export interface Victim {
  profile: string;
  service: string;
  /** The service's main process, as the lab recorded it. */
  pid: number;
  /** Every live process of the service (its cgroup), the main one included. */
  pids: number[];
}

export function findVictim(lab: Lab, profile: string, service: string): Victim {
  const state = readState(lab.paths, profile);
  const svc = state?.services[service];
  if (!state || !svc) {
    const names = Object.keys(state?.services ?? {});
    throw new FaultError(
      state
        ? `${service} is not a service of ${profile} (services: ${names.join(', ')})`
        : `${profile} is not up: nothing to inject a fault into`,
    );
  }
  if (!isAlive(svc.pid)) throw new FaultError(`${service} (pid ${svc.pid}) is not running`);
  const inCgroup = svc.cgroup && lab.cgroups?.exists(svc.cgroup) ? lab.cgroups.pids(svc.cgroup) : [];
  const pids = [...new Set([svc.pid, ...inCgroup])].filter(isAlive);
  return { profile, service, pid: svc.pid, pids };
}

/** SIGKILLs the victim's main process; returns when it was sent (epoch ms). */
export function killVictim(v: Victim): number {
  const at = Date.now();
  signalAll([v.pid], 'SIGKILL');
  return at;
}

/** SIGSTOPs every process of the victim for `ms`, then SIGCONTs them (always, even if interrupted). */
export async function pauseVictim(v: Victim, ms: number): Promise<{ at: number; resumedAt: number }> {
  const at = Date.now();
  signalAll(v.pids, 'SIGSTOP');
  try {
    // A timer counts from the event loop's cached clock, which can be behind `at`: wait until the wall clock agrees.
    while (Date.now() < at + ms) await new Promise((r) => setTimeout(r, at + ms - Date.now()));
  } finally {
    signalAll(v.pids, 'SIGCONT');
  }
  return { at, resumedAt: Date.now() };
}
