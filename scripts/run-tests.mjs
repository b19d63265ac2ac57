#!/usr/bin/env node
// Runs every compiled test file of every workspace with Node's built-in test runner, one file at a time
// (integration tests start servers and cgroups). `npm test -- <word>` runs only files whose path contains <word>.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...passthrough, ...selected], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
