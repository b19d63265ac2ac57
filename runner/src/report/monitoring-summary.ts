/**
 * results/<run-id>/monitoring.md: the Prometheus answers stored with each measured step (monitoring-NN.json, see
 * monitoring/monitor.ts), beside k6's own summary from run-NN.json.
 */
import { readMonitoringFiles } from '../results/read.js';
import type { MonitoringCapture, SeriesCapture } from '../results/types.js';

const fmt = (v: number | null | undefined): string => {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a !== 0 && (a < 0.01 || a >= 1e6) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
};

function legendOf(legend: string, labels: Record<string, string>): string {
  const s = legend.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => labels[k] ?? '');
  return s.trim() || JSON.stringify(labels);
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '–' : (v * 1000).toFixed(2));

/**
 * results/<run-id>/monitoring.md, from the stored files alone: per measured step, k6's totals as Prometheus holds
 * them next to k6's own summary, and every Lab overview query over the step (Service internals and the 5 s series
 * are in the JSON files).
 */
export function renderMonitoringSummary(runDir: string, runId: string): string | null {
  const files = readMonitoringFiles(runDir).map(({ file, run }) => ({ f: file, run }));
  if (files.length === 0) return null;
  const lines = [
    `# Monitoring: run ${runId}`,
    '',
    'Rendered from the Prometheus answers stored with each measured step (`<target>/<scenario>/monitoring-NN.json`),',
    'so it stays readable without Prometheus. "k6 via Prometheus" reads the run\'s own cumulative k6 series (remote',
    'write, native histograms) at their last sample; "over the step" evaluates each Lab overview query once with the',
    "whole step as its range (a rate cannot count what a new series held at its first sample: k6's first push);",
    'mean and max are over the 5 s points of the window. See docs/monitoring.md.',
    '',
  ];
  for (const { f, run } of files) {
    for (const st of f.steps) {
      lines.push(`## ${f.target} · ${f.scenario} · run ${f.run} · ${st.step}`, '');
      if (!('queries' in st)) {
        lines.push(`capture failed: ${(st as { error: string }).error}`, '');
        continue;
      }
      const c = st as MonitoringCapture & { step: string };
      lines.push(`${c.start} → ${c.end} (window ${c.overRunWindowSeconds} s)`, '');
      const k = c.k6;
      const own = run?.steps.find((x) => x.step === st.step)?.metrics;
      if (k) {
        lines.push(
          '| k6 | requests | failed | avg ms | p50 ms | p95 ms | p99 ms |',
          '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
          `| via Prometheus | ${k.requests ?? '–'} | ${k.failedRequests ?? '–'} | ${ms(k.latencySeconds.avg)} | ` +
            `${ms(k.latencySeconds.p50)} | ${ms(k.latencySeconds.p95)} | ${ms(k.latencySeconds.p99)} |`,
        );
        if (own) {
          const l = own.latencyMs;
          const f2 = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(2));
          lines.push(
            `| k6 summary (run-${String(f.run).padStart(2, '0')}.json) | ${own.requests} | ${own.failedRequests} | ` +
              `${f2(l['avg'])} | ${f2(l['p50'])} | ${f2(l['p95'])} | ${f2(l['p99'])} |`,
          );
        }
        lines.push('');
      }
      lines.push('| panel | series | over the step | mean | max |', '| --- | --- | ---: | ---: | ---: |');
      for (const q of c.queries.filter((x) => x.dashboard === 'Lab overview')) {
        const name = `${q.panel} (${q.refId})`;
        if (q.error) {
          lines.push(`| ${name} | error: ${q.error.replaceAll('|', '\\|')} | | | |`);
          continue;
        }
        const keys = new Map<string, { labels: Record<string, string>; over?: number; s?: SeriesCapture }>();
        for (const v of q.overRun.values)
          keys.set(JSON.stringify(v.labels), { labels: v.labels, over: v.value });
        for (const s of q.series) {
          const e = keys.get(JSON.stringify(s.labels)) ?? { labels: s.labels };
          e.s = s;
          keys.set(JSON.stringify(s.labels), e);
        }
        if (keys.size === 0) lines.push(`| ${name} | no data | | | |`);
        for (const e of keys.values())
          lines.push(
            `| ${name} | ${legendOf(q.legend, e.labels)} | ${fmt(e.over)} | ${fmt(e.s?.mean)} | ${fmt(e.s?.max)} |`,
          );
      }
      lines.push('');
    }
  }
  return `${lines.join('\n')}\n`;
}
