// Brings the lab's targets up for the browser test the way a user does (./lab up <profile>, natively under the
// lab's cgroups), reuses a target that is already running (and then never stops or resets it), and stops only
// what it started.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from implementations/web/dist/test). */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const LAB_CLI = join(ROOT, 'runner', 'dist', 'src', 'lab', 'cli.js');

export type TargetId = string;

export interface LabTarget {
  id: TargetId;
  port: number;
  url: string;
}

/** docker-compose.yml's x-lab-targets (profile = name), as generated for the storefront (ui/src/targets.gen.json). */
export const ALL_TARGETS: readonly LabTarget[] = (
  JSON.parse(readFileSync(join(ROOT, 'implementations/web/ui/src/targets.gen.json'), 'utf8')) as LabTarget[]
).map(({ id, port, url }) => ({ id, port, url }));

export async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    await r.arrayBuffer();
    return r.status === 200;
  } catch {
    return false;
  }
}

/** Runs the lab's launcher (what ./lab runs, without its rebuild check); resolves with exit code and output tail. */
export function lab(
  args: string[],
  log: (line: string) => void,
): Promise<{ code: number | null; tail: string }> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const child = spawn(process.execPath, [LAB_CLI, ...args], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (b: Buffer) => {
      for (const line of b.toString().split('\n')) {
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > 40) lines.shift();
        log(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => resolve({ code: null, tail: e.message }));
    child.once('exit', (code) => resolve({ code, tail: lines.slice(-15).join('\n') }));
  });
}

/** LAB_ADMIN_TOKEN from the environment, else from the committed .env (as ./lab reads it). */
export function adminToken(): string {
  const fromEnv = process.env['LAB_ADMIN_TOKEN'];
  if (fromEnv) return fromEnv;
  const envFile = join(ROOT, '.env');
  if (existsSync(envFile)) {
    const m = /^LAB_ADMIN_TOKEN=(.*)$/m.exec(readFileSync(envFile, 'utf8'));
    if (m) return m[1]!.trim().replace(/^["']|["']$/g, '');
  }
  throw new Error('LAB_ADMIN_TOKEN is not set and .env has none');
}

export async function reset(t: LabTarget): Promise<void> {
  const r = await fetch(`${t.url}/api/admin/reset`, {
    method: 'POST',
    headers: { 'x-lab-token': adminToken() },
    signal: AbortSignal.timeout(60_000),
  });
  await r.arrayBuffer();
  if (r.status !== 204) throw new Error(`reset of ${t.id} answered ${r.status}`);
}

export interface Running extends LabTarget {
  /** True when this test started it (and so stops it); false when it was already running. */
  started: boolean;
}

export interface Outcome {
  running: Running[];
  /** Targets that could not be brought up, with the reason. */
  skipped: { id: TargetId; reason: string }[];
}

/**
 * For each wanted target: reuse it when it already answers /health, else `./lab up` it (one after another: this
 * machine has two cores and the targets share the lab's cpuset). A target we start is reset to the dataset.
 */
export async function bringUp(wanted: readonly LabTarget[], log: (line: string) => void): Promise<Outcome> {
  const out: Outcome = { running: [], skipped: [] };
  for (const t of wanted) {
    if (await healthy(t.url)) {
      log(`${t.id}: already running at ${t.url}: reused (not reset, not stopped)`);
      out.running.push({ ...t, started: false });
      continue;
    }
    const t0 = Date.now();
    log(`${t.id}: ./lab up ${t.id}`);
    const r = await lab(['up', t.id], (line) => log(`  ${line}`));
    if (r.code !== 0) {
      out.skipped.push({ id: t.id, reason: `./lab up ${t.id} failed (exit ${r.code}):\n${r.tail}` });
      // Whatever part of the profile did start is ours: stop it.
      await lab(['down', t.id], (line) => log(`  ${line}`));
      continue;
    }
    const running: Running = { ...t, started: true };
    out.running.push(running);
    await reset(running);
    log(`${t.id}: up and reset in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return out;
}

/** Stops, in reverse order, only the targets this test started. */
export async function bringDown(running: readonly Running[], log: (line: string) => void): Promise<void> {
  for (const t of [...running].reverse()) {
    if (!t.started) continue;
    const r = await lab(['down', t.id], (line) => log(`  ${line}`));
    if (r.code !== 0) log(`${t.id}: ./lab down failed (exit ${r.code}):\n${r.tail}`);
  }
}
