import { datasetOptions } from '@lab/contract';
import { SpecValidator } from './spec-validator.js';
import {
  checkCartFlow,
  checkCategories,
  checkConcurrentCheckout,
  checkHome,
  checkOps,
  checkProducts,
  checkReset,
  checkResetRestores,
  checkSearch,
  checkUnknownRoutes,
  checkWebAndCors,
  sampleProducts,
  searchQueries,
} from './suite.js';
import { type CheckResult, Verifier } from './verifier.js';

export type { CheckResult } from './verifier.js';

export interface VerifyOptions {
  baseUrl: string;
  adminToken: string;
  seed?: number;
  scale?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Products checked one by one beyond the edge cases. */
  productSample?: number;
  /** Include the concurrent-checkout check (default true). */
  concurrency?: boolean;
  onCheck?: (c: CheckResult) => void;
}

export interface VerifyReport {
  baseUrl: string;
  /** What the target's /health says it is. */
  target: string | null;
  seed: number;
  scale: number;
  startedAt: string;
  durationMs: number;
  total: number;
  failed: number;
  ok: boolean;
  checks: CheckResult[];
}

/**
 * Checks a running target against the oracle: every endpoint, sort, pagination edge, search rule, error case and
 * the whole write flow, byte for byte and against openapi.yaml. Resets the target before and after. The
 * benchmark runner calls this before timing anything; the CLI (cli.ts) prints it as a table.
 */
export async function verifyTarget(options: VerifyOptions): Promise<VerifyReport> {
  const { seed, scale } = datasetOptions({ seed: options.seed, scale: options.scale });
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const startedAt = new Date();
  const t0 = performance.now();
  const v = new Verifier({
    baseUrl,
    adminToken: options.adminToken,
    seed,
    scale,
    timeoutMs,
    spec: new SpecValidator(),
    onCheck: options.onCheck,
  });
  const report = (target: string | null): VerifyReport => ({
    baseUrl,
    target,
    seed,
    scale,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    total: v.checks.length,
    failed: v.failed,
    ok: v.failed === 0 && v.checks.length > 0,
    checks: v.checks,
  });

  const { reachable, target } = await checkOps(v, baseUrl, timeoutMs);
  if (!reachable) return report(target);
  await checkWebAndCors(v, baseUrl, timeoutMs);
  if (!(await checkReset(v, options.adminToken))) return report(target);
  if (!(await checkHome(v))) {
    v.assert('home', 'dataset matches', 'GET /api/home', [
      `the home page differs: is the target seeded with seed ${seed} and scale ${scale}? (--seed, --scale)`,
    ]);
  }
  await checkCategories(v);
  const products = sampleProducts(v.oracle.catalog, seed, options.productSample ?? 40);
  await checkProducts(v, products);
  await checkSearch(v, searchQueries(v.oracle.catalog, seed));
  await checkUnknownRoutes(v);
  await checkCartFlow(v);
  if (options.concurrency ?? true) await checkConcurrentCheckout(v, baseUrl, timeoutMs);
  await checkResetRestores(v, options.adminToken, products[0]!);
  return report(target);
}
