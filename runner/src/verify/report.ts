import type { VerifyReport } from './verify.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Renders a verify report as a plain-text table: one row per group, then every failure with its reason. */
export function renderReport(r: VerifyReport, verbose = false): string {
  const lines: string[] = [];
  lines.push(`verify ${r.baseUrl} (target: ${r.target ?? 'unknown'}, seed ${r.seed}, scale ${r.scale})`);
  const groups = new Map<string, { pass: number; fail: number }>();
  for (const c of r.checks) {
    const g = groups.get(c.group) ?? { pass: 0, fail: 0 };
    if (c.pass) g.pass++;
    else g.fail++;
    groups.set(c.group, g);
  }
  const width = Math.max(5, ...[...groups.keys()].map((k) => k.length));
  lines.push('');
  lines.push(`${pad('group', width)}  ${pad('checks', 6)}  ${pad('failed', 6)}  result`);
  lines.push(`${'-'.repeat(width)}  ------  ------  ------`);
  for (const [name, g] of groups) {
    lines.push(
      `${pad(name, width)}  ${pad(String(g.pass + g.fail), 6)}  ${pad(String(g.fail), 6)}  ${g.fail ? 'FAIL' : 'pass'}`,
    );
  }
  const shown = verbose ? r.checks : r.checks.filter((c) => !c.pass);
  if (shown.length > 0) {
    lines.push('');
    for (const c of shown) {
      lines.push(
        `${c.pass ? 'pass' : 'FAIL'}  [${c.group}] ${c.name} — ${c.request}${c.pass ? '' : `\n      ${c.detail}`}`,
      );
    }
  }
  lines.push('');
  lines.push(
    r.ok
      ? `PASS: ${r.total} checks in ${r.durationMs} ms`
      : r.total === 0
        ? `FAIL: no check ran (${r.durationMs} ms)`
        : `FAIL: ${r.failed} of ${r.total} checks failed (${r.durationMs} ms)`,
  );
  return lines.join('\n');
}
