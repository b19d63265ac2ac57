/**
 * A PID alone does not name a process: after a reboot, or once the kernel wraps around, the PID in a state file may
 * belong to an unrelated process. The lab records each process's start time (field 22 of /proc/<pid>/stat, clock
 * ticks since boot) with its PID and signals the PID only while both still match.
 */
import { readFileSync } from 'node:fs';

/** The process's start time as the kernel reports it, or null when there is no such process (or no /proc). */
export function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether `pid` is still the process that was started with `startTime`. Without a recorded start time (state
 * written by an older lab) nothing proves it, so the answer is no: the lab then relies on its cgroups alone.
 */
export function isSameProcess(pid: number, startTime: string | null | undefined): boolean {
  if (!startTime) return false;
  return startTimeOf(pid) === startTime;
}

/** Sends `signal` to each PID; one that ended meanwhile is skipped. */
export function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      /* it ended on its own meanwhile */
    }
  }
}
