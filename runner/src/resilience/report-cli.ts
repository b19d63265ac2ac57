/** `./run-benchmark.sh resilience-report <run-id…> [--out FILE]`: see report.ts. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../lib/env-file.js';
import { renderResilienceReport } from './report.js';

try {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { out: { type: 'string' }, 'results-dir': { type: 'string' } },
  });
  const root = repoRoot();
  const file = await renderResilienceReport({
    root,
    resultsRoot: values['results-dir'] ?? join(root, 'results'),
    runIds: positionals,
    ...(values.out ? { out: values.out } : {}),
  });
  process.stdout.write(`${file}\n`);
} catch (e) {
  process.stderr.write(`resilience-report: ${(e as Error).message}\n`);
  process.exit(1);
}
