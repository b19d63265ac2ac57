#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { labEnv } from '../lib/env-file.js';
import { renderReport } from './report.js';
import { verifyTarget } from './verify.js';

const USAGE = `usage: npm run verify -- --base-url URL [options]

Checks a running target against the contract's oracle, byte for byte, and exits 1 on any mismatch.

  --base-url URL     the target, e.g. http://127.0.0.1:8080 (required)
  --token TOKEN      x-lab-token for POST /api/admin/reset (default: LAB_ADMIN_TOKEN from env or .env)
  --seed N           dataset seed the target was started with (default: LAB_SEED, else 42)
  --scale N          dataset scale (default: LAB_SCALE, else 1)
  --products N       products checked one by one beyond the edge cases (default 40)
  --timeout MS       per-request timeout (default 10000; the resets wait up to 120000)
  --no-concurrency   skip the 50-concurrent-checkouts check
  --json FILE        also write the full report as JSON
  --verbose          list every check, not only failures
  -h, --help, help   this text`;

function die(message: string): never {
  process.stderr.write(`verify: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function int(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw)) die(`--${name} must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

// `help` alone, like ./lab help and ./run-benchmark.sh help.
if (process.argv.slice(2).join(' ') === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      'base-url': { type: 'string' },
      token: { type: 'string' },
      seed: { type: 'string' },
      scale: { type: 'string' },
      products: { type: 'string' },
      timeout: { type: 'string' },
      'no-concurrency': { type: 'boolean', default: false },
      json: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
    strict: true,
  });
}
try {
  args = parse();
} catch (e) {
  die((e as Error).message);
}
const o = args.values;
if (o.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const baseUrl = o['base-url'];
if (!baseUrl) die('--base-url is required');
try {
  const u = new URL(baseUrl);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
} catch {
  die(`--base-url must be an http(s) URL, got "${baseUrl}"`);
}
const env = labEnv();
const token = o.token ?? env['LAB_ADMIN_TOKEN'];
if (!token) die('no admin token: pass --token or set LAB_ADMIN_TOKEN');

try {
  const report = await verifyTarget({
    baseUrl,
    adminToken: token,
    seed: int('seed', o.seed ?? env['LAB_SEED'], 42),
    scale: int('scale', o.scale ?? env['LAB_SCALE'], 1),
    productSample: int('products', o.products, 40),
    timeoutMs: int('timeout', o.timeout, 10_000),
    concurrency: !o['no-concurrency'],
  });
  process.stdout.write(`${renderReport(report, o.verbose)}\n`);
  if (o.json) writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
  process.exit(report.ok ? 0 : 1);
} catch (e) {
  die((e as Error).message);
}
