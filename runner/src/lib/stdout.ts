/**
 * `./lab status | head`: once the reader has closed the pipe, later writes to stdout are dropped instead of
 * crashing the command with EPIPE. A long command (a benchmark, `./lab up`) still finishes its work and cleans up.
 */
export function dropWritesOnClosedStdout(out: NodeJS.WriteStream = process.stdout): void {
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    out.write = (() => true) as typeof out.write;
  });
}
