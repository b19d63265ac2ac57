/**
 * One benchmark run at a time per checkout: two runs would start, stop and measure the same targets under each
 * other. The lock is .lab/run.lock holding the runner's PID and start time (pid.ts), so a lock left by a crash or
 * a reboot is recognised as stale and taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LabPaths } from './paths.js';
import { isSameProcess, startTimeOf } from './pid.js';

export class RunLockError extends Error {}

interface LockFile {
  pid: number;
  pidStartTime: string | null;
  what: string;
  since: string;
}

export function runLockFile(paths: LabPaths): string {
  return join(paths.lab, 'run.lock');
}

function holder(file: string): LockFile | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockFile;
  } catch {
    return null;
  }
}

/** Takes the checkout's run lock for `what` (e.g. the run id); returns the function that releases it. */
export function acquireRunLock(paths: LabPaths, what: string): () => void {
  const file = runLockFile(paths);
  const mine: LockFile = {
    pid: process.pid,
    pidStartTime: startTimeOf(process.pid),
    what,
    since: new Date().toISOString(),
  };
  mkdirSync(paths.lab, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${JSON.stringify(mine)}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const h = holder(file);
      if (h && isSameProcess(h.pid, h.pidStartTime))
        throw new RunLockError(
          `another benchmark run is in progress in this checkout (${h.what}, pid ${h.pid}, since ${h.since}): ` +
            `wait for it to finish, or stop it with kill -INT ${h.pid}`,
        );
      rmSync(file, { force: true }); // left by a run that is gone: stale
    }
  }
  const release = () => {
    const h = holder(file);
    if (h?.pid === process.pid && h.pidStartTime === mine.pidStartTime) rmSync(file, { force: true });
  };
  process.once('exit', release);
  return release;
}
