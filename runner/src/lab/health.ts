import { spawn } from 'node:child_process';

export type HealthProbe = { url: string } | { command: string[]; env?: NodeJS.ProcessEnv; cwd?: string };

/** One health probe: a 2xx from a URL, or exit 0 from a command, within 3 s. */
export function checkHealth(probe: HealthProbe): Promise<boolean> {
  if ('url' in probe) {
    return fetch(probe.url, { signal: AbortSignal.timeout(3000) }).then(
      async (r) => {
        await r.arrayBuffer().catch(() => undefined);
        return r.ok;
      },
      () => false,
    );
  }
  const [cmd, ...args] = probe.command;
  if (!cmd) return Promise.resolve(false);
  return new Promise((resolve) => {
    // Its own process group, so that a timeout kills what a shell probe started too, not only the shell.
    const child = spawn(cmd, args, {
      env: probe.env ?? process.env,
      cwd: probe.cwd,
      stdio: 'ignore',
      detached: true,
    });
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, 3000);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/** Polls until healthy, the process dies, or the timeout passes. */
export async function waitForHealth(
  probe: () => Promise<boolean>,
  alive: () => boolean,
  timeoutMs: number,
): Promise<'healthy' | 'died' | 'timeout'> {
  const t0 = Date.now();
  for (;;) {
    if (await probe()) return 'healthy';
    if (!alive()) return 'died';
    if (Date.now() - t0 > timeoutMs) return 'timeout';
    await new Promise((r) => setTimeout(r, 250));
  }
}
