import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const TOKEN = 'test-admin-token';
const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

export interface RunningApp {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then resolves with the exit code (SIGKILL after 10 s: the test then fails on the code). */
  stop(): Promise<number | null>;
}

/** Starts dist/src/main.js on a free port and resolves once it listens (setup and seeding included). */
export function startApp(env: Record<string, string>, timeoutMs = 120_000): Promise<RunningApp> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        LAB_ADMIN_TOKEN: TOKEN,
        LAB_SEED: '42',
        LAB_SCALE: '1',
        LAB_CPUS: '1',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let done = false;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mono did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/[0-9.]+:\d+)/.exec(out);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          child,
          output: () => out,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGTERM');
              const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
              const code = await exited;
              clearTimeout(t);
              return code;
            }
            return child.exitCode;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!done) reject(new Error(`mono exited with ${code} before listening:\n${out}`));
    });
  });
}
