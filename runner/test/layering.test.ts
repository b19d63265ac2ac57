/**
 * The runner's layers (docs/architecture.md, "The runner's layers"): a folder may import its own layer and the
 * layers below it, never one above; nothing imports an entry point (a `cli.ts`); no module cycle. Checked by
 * dependency-cruiser on the TypeScript sources, type-only imports included.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { cruise, type IForbiddenRuleType, type IViolation } from 'dependency-cruiser';
import { repoRoot } from '../src/lib/env-file.js';

/** Lowest first. Folders on one line share a layer and may import each other (never in a cycle). */
export const LAYERS: readonly (readonly string[])[] = [
  ['lib'],
  ['lab'],
  ['results'],
  ['k6', 'scenarios', 'verify'],
  ['calibration', 'latency', 'monitoring'],
  ['stats'],
  ['report'],
  ['benchmark'],
  ['resilience', 'faults', 'coldstart', 'scale'],
  ['notes'],
  ['studies'],
];

const ENTRY = '(^|/)(cli|report-cli)\\.ts$';
const folders = (layers: readonly (readonly string[])[]) => layers.flat().join('|');

function layerRules(): IForbiddenRuleType[] {
  return LAYERS.slice(0, -1).map((layer, i) => ({
    name: `layer-${layer.join('+')}`,
    comment: `${layer.join(', ')} may not import a higher layer (${LAYERS.slice(i + 1)
      .flat()
      .join(', ')})`,
    severity: 'error',
    from: { path: `^runner/src/(${layer.join('|')})/`, pathNot: ENTRY },
    to: { path: `^runner/src/(${folders(LAYERS.slice(i + 1))})/` },
  }));
}

const rules: IForbiddenRuleType[] = [
  ...layerRules(),
  {
    name: 'no-entry-imports',
    comment: 'entry points (cli.ts) compose the layers; nothing builds on them',
    severity: 'error',
    from: { path: '^runner/src/' },
    to: { path: ENTRY },
  },
  { name: 'no-cycle', severity: 'error', from: { path: '^runner/src/' }, to: { circular: true } },
];

const describe = (v: IViolation) => `${v.rule.name}: ${v.from} -> ${v.to}`;

/** Cruises <root>/runner/src with the rules; the violations, and how many modules were read. */
async function check(root: string): Promise<{ violations: string[]; cruised: number }> {
  const prev = process.cwd();
  // dependency-cruiser reports paths relative to the working directory, which the rules match.
  process.chdir(root);
  try {
    const result = await cruise(['runner/src'], {
      validate: true,
      ruleSet: { forbidden: rules },
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
      exclude: { path: '(^|/)(dist|node_modules)/' },
    });
    const output = result.output;
    assert.ok(typeof output === 'object', 'dependency-cruiser returned no result object');
    return { violations: output.summary.violations.map(describe), cruised: output.summary.totalCruised };
  } finally {
    process.chdir(prev);
  }
}

test('every folder of runner/src has a layer', () => {
  const dirs = readdirSync(join(repoRoot(), 'runner', 'src'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const known = new Set(LAYERS.flat());
  assert.deepEqual(
    dirs.filter((d) => !known.has(d)),
    [],
    'a new folder needs a place in LAYERS and in docs/architecture.md',
  );
});

test('no import runs from a lower layer to a higher one, into an entry point, or in a cycle', async () => {
  const root = repoRoot();
  const r = await check(root);
  // A check that sees nothing proves nothing: the cruise must have read the runner's modules.
  assert.ok(r.cruised > 50, `only ${r.cruised} modules cruised`);
  assert.deepEqual(r.violations, []);
});

test('the check catches a backwards import, a type-only one, an entry import and a cycle', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lab-layering-'));
  const put = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  try {
    put('runner/src/benchmark/run.ts', 'export const loop = 1;\nexport interface Step { n: number }\n');
    put('runner/src/benchmark/cli.ts', "import { loop } from './run.js';\nexport const main = loop;\n");
    put(
      'runner/src/stats/aggregate.ts',
      "import { loop } from '../benchmark/run.js';\nexport const a = loop;\n",
    );
    put(
      'runner/src/stats/types.ts',
      "import type { Step } from '../benchmark/run.js';\nexport type S = Step;\n",
    );
    put('runner/src/report/page.ts', "import { main } from '../benchmark/cli.js';\nexport const p = main;\n");
    put('runner/src/lib/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
    put('runner/src/lib/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
    const { violations } = await check(root);
    const has = (re: RegExp) =>
      assert.ok(
        violations.some((v) => re.test(v)),
        `${re} in ${violations.join('; ')}`,
      );
    has(/^layer-stats: runner\/src\/stats\/aggregate\.ts -> runner\/src\/benchmark\/run\.ts$/);
    has(/^layer-stats: runner\/src\/stats\/types\.ts -> runner\/src\/benchmark\/run\.ts$/);
    has(/^no-entry-imports: runner\/src\/report\/page\.ts -> runner\/src\/benchmark\/cli\.ts$/);
    has(/^no-cycle: runner\/src\/lib\/a\.ts -> runner\/src\/lib\/b\.ts$/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
