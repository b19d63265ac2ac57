#!/usr/bin/env node
// Renders scripts/trace-stalls.sh's samples as one row per second: requests completed, p99 and max latency, the
// target's CPU (cgroup) and throttled CFS periods, and the CPU of its busiest threads; rows whose slowest request
// exceeds the SLO are marked, and the gaps between them are listed (a period shows as a constant gap).
//   usage: node scripts/trace-stalls-table.mjs <out-dir> [--slo-ms 50]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, ...rest] = process.argv.slice(2);
const slo = rest[0] === '--slo-ms' ? Number(rest[1]) : 50;
const TICK_MS = 10; // USER_HZ 100

const text = readFileSync(join(dir, 'samples.txt'), 'utf8');

/** Blocks of the sampler: time, cgroup usage (ns), throttled periods, ticks per thread ("comm/tid"). */
function samples() {
  const out = [];
  for (const line of text.split('\n')) {
    const [kind, ...f] = line.split(' ');
    if (kind === 'T') out.push({ t: Number(f[0]), usage: 0, throttled: 0, threads: new Map() });
    const cur = out.at(-1);
    if (!cur) continue;
    if (kind === 'U') cur.usage = Number(f[0]);
    if (kind === 'C' && f[0] === 'nr_throttled') cur.throttled = Number(f[1]);
    if (kind === 'S') {
      const m = /^(\d+) \((.*)\) (.*)$/.exec(f.join(' '));
      if (!m) continue;
      const fields = m[3].split(' '); // fields[0] is stat's 3rd field: utime is its 14th, stime its 15th
      cur.threads.set(`${m[2]}/${m[1]}`, Number(fields[11]) + Number(fields[12]));
    }
  }
  return out.filter((s) => s.usage > 0);
}

function requests() {
  const lines = readFileSync(join(dir, 'requests.csv'), 'utf8').split('\n');
  const cols = lines[0].split(',');
  const [name, ts, value] = ['metric_name', 'timestamp', 'metric_value'].map((c) => cols.indexOf(c));
  return lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((f) => f[name] === 'http_req_duration')
    .map((f) => ({ t: Number(f[ts]), ms: Number(f[value]) }));
}

const q = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : 0;
const s = samples();
const reqs = requests();
const boot = text.match(/^B (\d+) (\d+)$/m);
for (const [, pid, ticks] of text.matchAll(/^P (\d+) (\d+)$/gm)) {
  const started = Number(boot[1]) * 1000 + (Number(ticks) * 1000) / Number(boot[2]);
  console.log(
    `process ${pid} started ${((s[0].t - started) / 1000).toFixed(1)} s before the trace's t=0 (±1 s)`,
  );
}
const threadTotal = new Map();
for (const [k, v] of s.at(-1).threads) threadTotal.set(k, v - (s[0].threads.get(k) ?? 0));
const top = [...threadTotal]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 5)
  .map(([k]) => k);
console.log(`t(s)  req    p99   max | cgroup ms thr | ${top.join(' | ')}  (thread CPU ms)`);
const slow = [];
for (let i = 1; i < s.length; i++) {
  const [a, b] = [s[i - 1], s[i]];
  const ms = reqs
    .filter((r) => r.t >= a.t && r.t < b.t)
    .map((r) => r.ms)
    .sort((x, y) => x - y);
  const max = ms.at(-1) ?? 0;
  const t = ((b.t - s[0].t) / 1000).toFixed(0);
  if (max > slo) slow.push(Number(t));
  const thr = top.map((k) =>
    String(((b.threads.get(k) ?? 0) - (a.threads.get(k) ?? 0)) * TICK_MS).padStart(4),
  );
  console.log(
    `${t.padStart(4)} ${String(ms.length).padStart(4)} ${q(ms, 0.99).toFixed(1).padStart(6)} ${max.toFixed(1).padStart(6)}` +
      `${max > slo ? '*' : ' '}| ${((b.usage - a.usage) / 1e6).toFixed(0).padStart(6)} ${String(b.throttled - a.throttled).padStart(4)} | ${thr.join(' | ')}`,
  );
}
console.log(`seconds with a request slower than ${slo} ms: ${slow.join(', ') || 'none'}`);
console.log(
  `gaps between them (s): ${
    slow
      .slice(1)
      .map((t, i) => t - slow[i])
      .join(', ') || '-'
  }`,
);
