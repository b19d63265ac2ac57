// Fuzzes a running target against openapi.yaml with schemathesis (PyPI, pinned in lab/tools.ts), every check
// enabled and every phase (examples, coverage, fuzzing, stateful: the spec's links chain createCart → addCartItem →
// checkout). Two steps: the whole contract but the admin reset, whose stateful interleaving would wipe the carts
// other operations are checking; then the reset alone, with the token (its "ignored auth" check still sends it
// without one), without the stateful phase (one operation, nothing to chain).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENAPI_PATH } from '@lab/contract';
import { LabPaths } from '../lab/paths.js';
import { ensureTool } from '../lab/tools.js';

const ADMIN_PATH = '/api/admin/reset';

export interface FuzzOptions {
  baseUrl: string;
  /** x-lab-token of the target's reset endpoint. */
  adminToken: string;
  /** Examples per operation and phase: bounds the run time (about 30 s per target at 25 on this machine). */
  maxExamples?: number;
  /** Fixed, so a failure reproduces. */
  seed?: number;
  log?: (line: string) => void;
}

export interface FuzzStep {
  step: 'contract' | 'admin';
  /** schemathesis' exit code: 0 when every check passed. */
  code: number | null;
  /** The run's report, from its FAILURES section on (or its tail). */
  report: string;
}

/** The repository root (this module runs from runner/dist/src/verify). */
const ROOT = new URL('../../../../', import.meta.url).pathname;

/** The schemathesis CLI, installed into the lab's tools dir on first use. */
export async function schemathesisCli(log: (line: string) => void = () => {}): Promise<string> {
  const info = await ensureTool('schemathesis', { paths: new LabPaths(ROOT), env: process.env, log });
  return info.path;
}

function runSt(st: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(st, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: 'pipe' });
    let output = '';
    const keep = (b: Buffer) => {
      output += b.toString();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (e) => resolve({ code: null, output: e.message }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

function excerpt(output: string): string {
  const i = output.indexOf('FAILURES');
  return i === -1 ? output.slice(-3000) : output.slice(Math.max(0, i - 20), i + 12_000);
}

/** Runs both steps one after the other; the target must be up and may be reset by the admin step. */
export async function fuzzTarget(o: FuzzOptions): Promise<FuzzStep[]> {
  const st = await schemathesisCli(o.log);
  const common = [
    'run',
    OPENAPI_PATH,
    '--url',
    o.baseUrl,
    '--checks',
    'all',
    '--max-examples',
    String(o.maxExamples ?? 25),
    '--seed',
    String(o.seed ?? 1),
    '--generation-database',
    'none',
    '--request-timeout',
    '30',
    '--no-color',
  ];
  // schemathesis writes a cache next to where it runs: a scratch dir, never the repository.
  const cwd = mkdtempSync(join(tmpdir(), 'lab-fuzz-'));
  try {
    const steps: FuzzStep[] = [];
    for (const [step, extra] of [
      ['contract', ['--exclude-path', ADMIN_PATH]],
      // One operation with no links: the stateful phase has nothing to chain (schemathesis calls that an error).
      [
        'admin',
        [
          '--include-path',
          ADMIN_PATH,
          '--header',
          `x-lab-token: ${o.adminToken}`,
          '--phases',
          'examples,coverage,fuzzing',
        ],
      ],
    ] as const) {
      o.log?.(`schemathesis ${step} step against ${o.baseUrl}`);
      const r = await runSt(st, [...common, ...extra], cwd);
      steps.push({ step, code: r.code, report: excerpt(r.output) });
    }
    return steps;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
