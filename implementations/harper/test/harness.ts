// Starts the lab's Harper target the way ./lab and docker-compose.yml do (bin/start-harper.sh, foreground), in a
// private temp data dir on free loopback ports, and inspects what the process listens on.
import { type ChildProcess, spawn } from 'node:child_process';
import { type Agent, request } from 'node:http';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@lab/runner';

export { freePort };

export const START_SCRIPT = fileURLToPath(new URL('../../bin/start-harper.sh', import.meta.url));
export const ADMIN_USER = 'lab-test-admin';
export const TOKEN = 'lab-test-token-123';

/** The super user's password start-harper.sh generated on the first start of this data dir. */
export function adminPassword(dataDir: string): string {
  return readFileSync(join(dataDir, 'admin-password'), 'utf8');
}

export interface Harper {
  child: ChildProcess;
  pid: number;
  url: string;
  opsUrl: string;
  output(): string;
  /** SIGTERM, then waits for the exit; resolves with the exit code (or the signal's name). */
  stop(timeoutMs?: number): Promise<number | string>;
}

export interface StartOptions {
  dataDir: string;
  port: number;
  opsPort: number;
  threads?: number;
  scale?: number;
  seed?: number;
}

export function startHarper(o: StartOptions): Harper {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    LAB_HARPER_DATA: o.dataDir,
    HOST: '127.0.0.1',
    PORT: String(o.port),
    LAB_HARPER_OPS_PORT: String(o.opsPort),
    LAB_CPUS: String(o.threads ?? 1),
    LAB_SEED: String(o.seed ?? 42),
    LAB_SCALE: String(o.scale ?? 1),
    LAB_ADMIN_TOKEN: TOKEN,
    LAB_HARPER_ADMIN_USER: ADMIN_USER,
    // No password: start-harper.sh generates one into the data dir (adminPassword below).
    LOG_LEVEL: 'warn',
  };
  const child = spawn('sh', [START_SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    pid: child.pid!,
    url: `http://127.0.0.1:${o.port}`,
    opsUrl: `http://127.0.0.1:${o.opsPort}`,
    output: () => out,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
      const r = await Promise.race([exited, timer]);
      if (r === 'timeout') child.kill('SIGKILL');
      return r;
    },
  };
}

/** Polls GET /health until it answers 200 (the dataset is loaded), or fails with the process output. */
export async function waitHealthy(h: Harper, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (h.child.exitCode !== null) throw new Error(`Harper exited with ${h.child.exitCode}:\n${h.output()}`);
    try {
      const r = await fetch(`${h.url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Harper was not healthy within ${timeoutMs} ms:\n${h.output()}`);
}

/** The process and every descendant (Harper is one process today; any helper it forks counts too). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      /* exited meanwhile */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  return inodes;
}

function decodeAddress(hex: string, v6: boolean): string {
  const [ip, port] = hex.toLowerCase().split(':') as [string, string];
  const p = Number.parseInt(port, 16);
  if (!v6) {
    const b = ip
      .match(/../g)!
      .map((x) => Number.parseInt(x, 16))
      .reverse();
    return `${b.join('.')}:${p}`;
  }
  // /proc/net/tcp6 prints the address as four 32-bit words, each in host (little-endian) byte order.
  const words = ip.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
  const groups = words
    .join('')
    .match(/.{4}/g)!
    .map((g) => g.replace(/^0+(?=.)/, ''));
  return `[${groups.join(':')}]:${p}`;
}

export interface Listener {
  pid: number;
  address: string;
}

/** Every TCP socket in LISTEN state owned by the process tree, from /proc/net/tcp and tcp6. */
export function listeners(rootPid: number): Listener[] {
  const owner = new Map<string, number>();
  for (const pid of processTree(rootPid)) for (const inode of socketInodes(pid)) owner.set(inode, pid);
  const out: Listener[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue; // 0A = LISTEN
      const pid = owner.get(f[9]!);
      if (pid !== undefined) out.push({ pid, address: decodeAddress(f[1]!, v6) });
    }
  }
  return out;
}

/** True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z. */
export function isLoopback(address: string): boolean {
  if (/^127\.\d+\.\d+\.\d+:\d+$/.test(address)) return true;
  const m = /^\[(.*)\]:\d+$/.exec(address);
  if (!m) return false;
  const ip = m[1]!;
  return ip === '0:0:0:0:0:0:0:1' || /^0:0:0:0:0:ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(ip);
}

/** One HTTP exchange on a given connection pool (fetch shares one pool per origin; these tests need two). */
export function send(
  agent: Agent,
  url: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const req = request(url, { agent, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
