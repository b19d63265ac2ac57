/**
 * The provisioned Grafana dashboards (monitoring/grafana/provisioning/dashboards/lab/*.json) read the way Grafana
 * reads them: every panel's PromQL, every template variable, and the substitution Grafana applies before a query
 * reaches Prometheus ($var, ${var}, multi-value variables as an escaped regex alternation, $__rate_interval).
 * Used by the tests (every query must answer with data) and by `./run-benchmark.sh --monitor` (the queries whose
 * answers are stored with each run).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Prometheus } from './prometheus-api.js';

export const DASHBOARD_DIR = 'monitoring/grafana/provisioning/dashboards/lab';
export const DATASOURCE_UID = 'lab-prometheus';
/** The datasource's timeInterval (Prometheus's scrape interval, seconds): $__rate_interval is at least 4 x this. */
export const SCRAPE_INTERVAL_SECONDS = 5;

export interface Variable {
  name: string;
  type: string;
  /** `label_values(selector, label)`, a custom list, or a constant. */
  query: string;
  multi: boolean;
  includeAll: boolean;
  allValue: string | null;
}

export interface PanelQuery {
  dashboard: string;
  dashboardUid: string;
  panelId: number;
  panel: string;
  refId: string;
  expr: string;
  legend: string;
  datasourceUid: string | null;
}

export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  editable: boolean;
  variables: Variable[];
  queries: PanelQuery[];
  json: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function dsUid(v: unknown): string | null {
  return isObj(v) && typeof v['uid'] === 'string' ? v['uid'] : null;
}

export function parseDashboard(file: string, json: Obj): Dashboard {
  const uid = String(json['uid'] ?? '');
  const title = String(json['title'] ?? '');
  const queries: PanelQuery[] = [];
  const walk = (panels: unknown) => {
    if (!Array.isArray(panels)) return;
    for (const p of panels) {
      if (!isObj(p)) continue;
      walk(p['panels']);
      if (!Array.isArray(p['targets'])) continue;
      for (const t of p['targets'] as unknown[]) {
        if (!isObj(t) || typeof t['expr'] !== 'string' || t['hide'] === true) continue;
        queries.push({
          dashboard: title,
          dashboardUid: uid,
          panelId: Number(p['id']),
          panel: String(p['title'] ?? ''),
          refId: String(t['refId'] ?? ''),
          expr: t['expr'],
          legend: typeof t['legendFormat'] === 'string' ? t['legendFormat'] : '',
          datasourceUid: dsUid(t['datasource']) ?? dsUid(p['datasource']),
        });
      }
    }
  };
  walk(json['panels']);
  const templating = isObj(json['templating']) ? json['templating'] : {};
  const variables: Variable[] = (Array.isArray(templating['list']) ? templating['list'] : [])
    .filter(isObj)
    .map((v) => {
      const q = v['query'];
      return {
        name: String(v['name']),
        type: String(v['type']),
        query: typeof q === 'string' ? q : isObj(q) && typeof q['query'] === 'string' ? q['query'] : '',
        multi: v['multi'] === true,
        includeAll: v['includeAll'] === true,
        allValue: typeof v['allValue'] === 'string' && v['allValue'] !== '' ? v['allValue'] : null,
      };
    });
  return { file, uid, title, editable: json['editable'] !== false, variables, queries, json };
}

export function loadDashboards(root: string): Dashboard[] {
  const dir = join(root, DASHBOARD_DIR);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) =>
      parseDashboard(join(DASHBOARD_DIR, f), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Obj),
    );
}

/** Variables an expression refers to ($name, ${name}, ${name:format}, [[name]]), built-ins ($__x) excluded. */
export function variablesIn(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g)) {
    const n = m[1] ?? m[2] ?? m[3]!;
    if (!n.startsWith('__')) names.add(n);
  }
  return [...names];
}

/** Grafana's regex escaping of a multi-value Prometheus variable's values. */
const regexEscape = (s: string) => s.replace(/[\\^$*+?.()|{}[\]]/g, '\\\\$&');
const quoteEscape = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** Grafana's interpolation of a variable's selected values into PromQL. */
export function formatValues(v: Variable | undefined, values: string[]): string {
  if (v?.includeAll && v.allValue !== null && values.length === 0) return v.allValue;
  if (v && (v.multi || v.includeAll)) {
    if (values.length === 1) return regexEscape(values[0]!);
    return `(${values.map(regexEscape).join('|')})`;
  }
  return quoteEscape(values[0] ?? '');
}

export interface Builtins {
  /** Seconds: Grafana's $__rate_interval, max($__interval + scrape interval, 4 x scrape interval). */
  rateInterval: number;
  /** Seconds: $__interval (the step). */
  interval: number;
  /** Seconds: $__range (the dashboard's time range). */
  range: number;
}

/** The expression as Prometheus receives it: variables and built-ins replaced. Unknown variables are an error. */
export function substitute(
  expr: string,
  d: Pick<Dashboard, 'variables' | 'title'>,
  values: Record<string, string[]>,
  b: Builtins,
): string {
  let out = expr
    .replaceAll(/\$\{__rate_interval\}|\$__rate_interval/g, `${b.rateInterval}s`)
    .replaceAll(/\$\{__interval\}|\$__interval/g, `${b.interval}s`)
    .replaceAll(/\$\{__range\}|\$__range/g, `${b.range}s`);
  out = out.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (all, a, c, e) => {
    const name = (a ?? c ?? e) as string;
    if (name.startsWith('__')) throw new Error(`${d.title}: unsupported built-in ${all} in ${expr}`);
    const v = d.variables.find((x) => x.name === name);
    if (!v || !(name in values)) throw new Error(`${d.title}: variable $${name} has no value (in ${expr})`);
    return formatValues(v, values[name]!);
  });
  return out;
}

/** Grafana's $__rate_interval for a given step. */
export function rateInterval(stepSeconds: number, scrape = SCRAPE_INTERVAL_SECONDS): number {
  return Math.max(stepSeconds + scrape, 4 * scrape);
}

/**
 * The values of every variable, resolved the way Grafana does for a time range: `label_values(selector, label)`
 * asks Prometheus for the label's values on matching series (variables used in the selector are substituted
 * first, in the dashboard's order), custom variables take their comma list. `fixed` pins some (e.g. target).
 */
export async function resolveVariables(
  d: Dashboard,
  prom: Prometheus,
  start: number,
  end: number,
  fixed: Record<string, string[]> = {},
): Promise<Record<string, string[]>> {
  const values: Record<string, string[]> = {};
  const builtins: Builtins = { rateInterval: rateInterval(15), interval: 15, range: Math.round(end - start) };
  for (const v of d.variables) {
    if (fixed[v.name]) {
      values[v.name] = fixed[v.name]!;
      continue;
    }
    if (v.type === 'custom' || v.type === 'constant') {
      values[v.name] = v.query
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      continue;
    }
    if (v.type !== 'query')
      throw new Error(`${d.title}: variable $${v.name} of type ${v.type} is not supported`);
    const m = /^\s*label_values\(\s*(?:(.*\S)\s*,\s*)?(\w+)\s*\)\s*$/.exec(v.query);
    if (!m)
      throw new Error(`${d.title}: variable $${v.name}: only label_values(...) is supported: ${v.query}`);
    const selector = m[1] ? substitute(m[1], d, values, builtins) : undefined;
    const found = await prom.labelValues(m[2]!, selector, start, end);
    values[v.name] = found.sort();
  }
  return values;
}
