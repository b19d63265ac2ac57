#!/usr/bin/env node
// Runs every compiled test file of every workspace with Node's built-in test runner, one file at a time
// (integration tests start servers and cgroups). `npm test -- <word>` runs only files whose path contains <word>.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = [];
for (const top of ['implementations', 'runner', 'scenarios', 'monitoring']) {
  let entries;
  try {
    entries = readdirSync(join(root, top));
  } catch {
    continue;
  }
  const dirs = top === 'implementations' ? entries.map((e) => join(root, top, e)) : [join(root, top)];
  for (const d of dirs) {
    try {
      if (statSync(join(d, 'dist', 'test')).isDirectory()) walk(join(d, 'dist', 'test'), files);
    } catch {
      /* no compiled tests here */
    }
  }
}
const selected = files
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();
if (selected.length === 0) {
  console.error(`no test files match ${filters.join(', ') || '(all)'}; did the build run?`);
  process.exit(1);
}
// The spec reporter for people, a TAP copy to count what did not run: a skipped or todo test fails the suite
// (`./lab setup` installs everything every test needs, so nothing has a reason to skip).
const tapDir = mkdtempSync(join(tmpdir(), 'lab-tests-'));
const tap = join(tapDir, 'report.tap');
const reporters = passthrough.some((a) => a.startsWith('--test-reporter'))
  ? []
  : [
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
    ];
const r = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=1', ...reporters, ...passthrough, ...selected],
  { cwd: root, stdio: 'inherit' },
);
let notRun = [];
if (reporters.length > 0) {
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  // e.g. NODE_TEST_CONTEXT inherited from an outer test run makes node skip every file and still exit 0.
  if (!/^# tests [1-9]/m.test(text)) {
    console.error('\nno test ran (is NODE_TEST_CONTEXT set by an outer test run?)');
    process.exit(r.status || 1);
  }
  notRun = [...text.matchAll(/^\s*(?:not )?ok \d+ - (.*) # (SKIP|TODO)\b(.*)$/gim)].map(
    (m) => `${m[2]}: ${m[1]}${m[3]}`,
  );
}
rmSync(tapDir, { recursive: true, force: true });
if (notRun.length > 0) {
  console.error(`\n${notRun.length} test(s) did not run, which fails the suite:\n  ${notRun.join('\n  ')}`);
  process.exit(r.status || 1);
}
process.exit(r.status ?? 1);
