/**
 * The load generator's own ceiling on this machine, measured at the start of every session of a run: the lab's
 * scenario 03 (same script, same sampling, same VUs as a measurement) driven by k6 on its usual cores against
 * the null endpoint, pinned to the targets' cores with `taskset`. A cell served at more than CEILING_SHARE of
 * this rate is measuring k6 as much as the target: it is flagged and kept out of ratios (stats/aggregate.ts).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { K6Options, K6Run } from '../k6/k6.js';
import { extractMetrics } from '../k6/k6.js';
import { NULL_BODY } from './null-server.js';
import type { Calibration } from '../results/types.js';

/** Above this share of the ceiling, a cell's throughput is not the target's alone. */
export const CEILING_SHARE = 0.5;

export interface CalibrateOptions {
  runK6: (o: K6Options) => Promise<K6Run>;
  k6: Omit<K6Options, 'script' | 'env' | 'summaryFile'>;
  script: string;
  dataFile: string;
  dir: string;
  sutCpuset: string;
  vus: number;
  duration: string;
}

const SERVER = fileURLToPath(new URL('./null-server.js', import.meta.url));

export function startNull(cpuset: string): Promise<{ child: ChildProcess; port: number; pinned: boolean }> {
  const pinned = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
  const argv = pinned
    ? ['taskset', '-c', cpuset, process.execPath, SERVER, '0']
    : [process.execPath, SERVER, '0'];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the null endpoint did not start: ${out}`));
    }, 10_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), pinned });
      }
    });
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the null endpoint exited ${code}: ${out}`));
    });
  });
}

export function stopNull(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

export async function calibrate(o: CalibrateOptions): Promise<Calibration> {
  const server = await startNull(o.sutCpuset);
  const summaryFile = join(o.dir, '.calibration.json');
  try {
    const r = await o.runK6({
      ...o.k6,
      script: o.script,
      summaryFile,
      env: {
        LAB_BASE_URL: `http://127.0.0.1:${server.port}`,
        LAB_DATA: o.dataFile,
        LAB_VUS: String(o.vus),
        LAB_DURATION: o.duration,
        LAB_NULL_BODY: NULL_BODY,
      },
    });
    if (!r.summary)
      throw new Error(
        `k6 failed against the null endpoint (exit ${r.exitCode}): ${r.stderrTail.join(' | ')}`,
      );
    const m = extractMetrics(r.summary);
    return {
      at: new Date().toISOString(),
      scenario: '03-pdp',
      vus: o.vus,
      duration: o.duration,
      rps: m.rps,
      ceilingRps: ceilingFrom(m.rps, r.loadgen.cpuShare),
      requests: m.requests,
      checksFailed: m.checksFailed,
      loadgenCpuShare: r.loadgen.cpuShare,
      serverCpuset: server.pinned ? o.sutCpuset : null,
    };
  } finally {
    rmSync(summaryFile, { force: true });
    await stopNull(server.child);
  }
}

/** Requests per second of one k6 core: rps over k6's CPU share (clamped at 10%: below, it is all noise). */
export function ceilingFrom(rps: number, k6CpuShare: number | null): number {
  if (k6CpuShare === null || !(k6CpuShare > 0)) return rps;
  return rps / Math.min(1, Math.max(k6CpuShare, 0.1));
}

/** The ceiling a run's cells are judged against: the lowest of its sessions' (the most conservative). */
export function ceilingOf(calibrations: readonly Calibration[] | undefined): number | null {
  const xs = (calibrations ?? []).map((c) => c.ceilingRps ?? c.rps).filter((v) => v > 0);
  return xs.length ? Math.min(...xs) : null;
}
