/** How a benchmark run stops: the loop tells these apart to keep going, skip a target, or stop everything. */

export class Interrupted extends Error {}
/** Stops the whole run (k6 itself failed). */
export class RunFailure extends Error {}
/** Stops one target (it failed to start, failed verify, died): the others are still measured. */
export class TargetFailure extends RunFailure {}

/**
 * Resolves like `work`, or rejects with Interrupted as soon as `signal` aborts: start-up, verify, resets and
 * cool-downs take minutes and take no signal of their own, so Ctrl-C must not wait for them. The work goes on in
 * the background until the loop's cleanup stops the target it is talking to.
 */
export function interruptible<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Interrupted(String(signal.reason)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted(String(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
