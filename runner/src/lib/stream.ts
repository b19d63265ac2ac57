import { spawn } from 'node:child_process';

export interface Streamed {
  /** Exit code; null when the command could not be started or died of a signal. */
  code: number | null;
  /** Its last non-empty output lines (stdout and stderr interleaved), at most `keep`. */
  tail: string[];
  /** Set when the command could not be started (ENOENT, EACCES). */
  error?: Error;
}

/**
 * Runs a command to its end, passing each non-empty output line to `log` as it comes and keeping the last `keep`
 * lines for the caller's error message. Never rejects: the caller decides what a failure means.
 */
export function runStreamed(
  cmd: string,
  args: string[],
  o: { env: NodeJS.ProcessEnv; cwd?: string; log: (line: string) => void; keep: number },
): Promise<Streamed> {
  return new Promise((resolve) => {
    const tail: string[] = [];
    const child = spawn(cmd, args, { env: o.env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (b: Buffer) => {
      for (const line of b.toString().split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > o.keep) tail.shift();
        o.log(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => resolve({ code: null, tail, error }));
    child.once('exit', (code) => resolve({ code, tail }));
  });
}
