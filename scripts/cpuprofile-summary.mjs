#!/usr/bin/env node
// Summarises V8 .cpuprofile files (node --cpu-prof): the busy time by package (self time) and the functions with
// the most self time, each as a share of the busy time (idle excluded).
//   usage: node scripts/cpuprofile-summary.mjs <file.cpuprofile>... [--top N]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt === -1 ? 12 : Number(args.splice(topAt, 2)[1]);

function where(url) {
  if (!url) return '(native)';
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return url;
  const own = /implementations\/([^/]+)\/[^/]+\/src\/(.*)/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url.slice(-60);
}

for (const file of args) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + p.timeDeltas[i]));
  const byPkg = new Map();
  const byFn = new Map();
  let busy = 0;
  for (const [id, t] of self) {
    const cf = byId.get(id).callFrame;
    if (cf.functionName === '(idle)') continue;
    busy += t;
    const pkg = cf.url ? where(cf.url) : cf.functionName;
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + t);
    const fn = `${cf.functionName || '(anonymous)'} ${where(cf.url)}:${cf.lineNumber}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + t);
  }
  const show = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, t]) => `  ${((t / busy) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  console.log(
    `== ${basename(file)}: ${(busy / 1e6).toFixed(2)} s busy\n-- by package\n${show(byPkg)}\n-- by function\n${show(byFn)}`,
  );
}
