#!/usr/bin/env node
/**
 * Renders monitoring/prometheus/prometheus.template.yml (the ONE source of the lab's Prometheus configuration) with
 * docker-compose.yml into generated/docker.yml (Prometheus on the compose network) and generated/native.yml
 * (./lab: every service on 127.0.0.1). Both carry the same labels: instance, target and service from the compose
 * file, never from where a service happened to run. See the template's header for the rules.
 *
 *   node runner/dist/src/monitoring/prometheus-config.js           write both files
 *   node runner/dist/src/monitoring/prometheus-config.js --check   exit 1 when either is out of date
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { type LabCompose, loadCompose, profiles, resolveProfile, type ServiceSpec } from '../lab/compose.js';
import { repoRoot } from '../lib/env-file.js';

export type Mode = 'docker' | 'native';
export const MODES: readonly Mode[] = ['docker', 'native'];

export const TEMPLATE = 'monitoring/prometheus/prometheus.template.yml';
export const generatedFile = (mode: Mode) => `monitoring/prometheus/generated/${mode}.yml`;

const SERVICES_PLACEHOLDER = 'lab:target-services';
const CGROUP_PLACEHOLDER = 'lab:cgroup-to-target';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export class PrometheusConfigError extends Error {}

/** A service's /metrics endpoint as Prometheus sees it, and the labels it is given in both modes. */
export interface ScrapeTarget {
  address: string;
  labels: { instance: string; target: string; service: string };
}

/** The `target` label of a compose profile: its x-lab-targets entry, else the profile's own name. */
export function targetOfProfile(c: LabCompose, profile: string): string {
  return c.targets.find((t) => t.profile === profile)?.name ?? profile;
}

/** The profile a service belongs to (the first one it lists). */
function profileOf(s: ServiceSpec): string {
  const p = s.profiles[0];
  if (!p) throw new PrometheusConfigError(`service ${s.name} has no profile`);
  return p;
}

function port(s: ServiceSpec, mode: Mode): string | null {
  const p = mode === 'native' ? (s.native?.env['PORT'] ?? s.environment['PORT']) : s.environment['PORT'];
  return p && /^\d+$/.test(p) ? p : null;
}

/** Every service of every target profile that listens on a PORT: the services that serve GET /metrics. */
export function targetServices(c: LabCompose, mode: Mode): ScrapeTarget[] {
  const out: ScrapeTarget[] = [];
  for (const t of c.targets) {
    if (!profiles(c).includes(t.profile)) continue;
    for (const s of resolveProfile(c, t.profile)) {
      if (s.native?.oneshot) continue;
      const p = port(s, mode);
      if (!p) continue;
      out.push({
        address: `${mode === 'native' ? '127.0.0.1' : s.name}:${p}`,
        labels: { instance: s.name, target: t.name, service: s.name },
      });
    }
  }
  return out;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One relabel rule per profile for native cgroups, one for Docker containers: both set the same `target`. The
 * generated files are committed, so they match any compose project (each checkout is its own, named after its
 * directory); natively cAdvisor exports only its own checkout's cgroups (/lab/<project>).
 */
export function cgroupRules(c: LabCompose): Obj[] {
  const rules: Obj[] = [];
  for (const p of profiles(c)) {
    const target = targetOfProfile(c, p);
    rules.push({
      source_labels: ['id'],
      regex: `/lab/[^/]+/${escapeRegex(p)}(/[^/]+)?`,
      target_label: 'target',
      replacement: target,
    });
    const names = [...c.services.values()].filter((s) => profileOf(s) === p).map((s) => escapeRegex(s.name));
    rules.push({
      source_labels: [
        'container_label_com_docker_compose_project',
        'container_label_com_docker_compose_service',
      ],
      regex: `[^;]+;(${names.join('|')})`,
      target_label: 'target',
      replacement: target,
    });
  }
  return rules;
}

function staticConfigs(c: LabCompose, raw: unknown, mode: Mode, where: string): Obj[] {
  if (raw === SERVICES_PLACEHOLDER)
    return targetServices(c, mode).map((t) => ({ targets: [t.address], labels: { ...t.labels } }));
  if (!Array.isArray(raw))
    throw new PrometheusConfigError(`${where} must be a list or ${SERVICES_PLACEHOLDER}`);
  const out: Obj[] = [];
  for (const sc of raw) {
    if (!isObj(sc) || !Array.isArray(sc['targets']))
      throw new PrometheusConfigError(`${where}: each static config needs targets`);
    const labels = isObj(sc['labels']) ? sc['labels'] : {};
    for (const t of sc['targets'] as unknown[]) {
      const m = /^([^:]+):(\d+)$/.exec(String(t));
      const svc = m ? c.services.get(m[1]!) : undefined;
      if (!m || !svc) {
        out.push({ targets: [String(t)], ...(Object.keys(labels).length ? { labels } : {}) });
        continue;
      }
      out.push({
        targets: [`${mode === 'native' ? '127.0.0.1' : svc.name}:${m[2]}`],
        labels: {
          instance: svc.name,
          target: targetOfProfile(c, profileOf(svc)),
          service: svc.name,
          ...labels,
        },
      });
    }
  }
  return out;
}

function relabels(c: LabCompose, raw: unknown, where: string): unknown[] {
  if (!Array.isArray(raw)) throw new PrometheusConfigError(`${where} must be a list`);
  return raw.flatMap((r) => (r === CGROUP_PLACEHOLDER ? cgroupRules(c) : [r]));
}

/** The rendered configuration (as an object) for one mode. */
export function renderConfig(root: string, mode: Mode, c: LabCompose = composeOf(root)): Obj {
  const template = parse(readFileSync(join(root, TEMPLATE), 'utf8')) as unknown;
  if (!isObj(template) || !Array.isArray(template['scrape_configs']))
    throw new PrometheusConfigError(`${TEMPLATE}: no scrape_configs`);
  const jobs = (template['scrape_configs'] as unknown[]).map((j, i) => {
    if (!isObj(j) || typeof j['job_name'] !== 'string')
      throw new PrometheusConfigError(`${TEMPLATE}: scrape_configs[${i}] has no job_name`);
    const where = `job ${j['job_name']}`;
    const out: Obj = { ...j };
    if (j['static_configs'] !== undefined)
      out['static_configs'] = staticConfigs(c, j['static_configs'], mode, `${where}.static_configs`);
    for (const k of ['relabel_configs', 'metric_relabel_configs'])
      if (j[k] !== undefined) out[k] = relabels(c, j[k], `${where}.${k}`);
    return out;
  });
  return { ...template, scrape_configs: jobs };
}

function composeOf(root: string): LabCompose {
  // Only the file's own values matter: PATH for nothing, no LAB_* overrides from the caller's environment.
  return loadCompose(root, {});
}

/** The generated file's text for one mode. */
export function renderText(root: string, mode: Mode, c?: LabCompose): string {
  const header = [
    `# GENERATED by \`npm run gen:prometheus\` from ${TEMPLATE} and docker-compose.yml (${mode} mode).`,
    '# Do not edit: edit the template and regenerate (a test fails when this file is out of date).',
    '',
  ].join('\n');
  return header + stringify(renderConfig(root, mode, c), { lineWidth: 0 });
}

function main(argv: string[]): number {
  const root = repoRoot();
  const check = argv.includes('--check');
  let stale = 0;
  for (const mode of MODES) {
    const file = join(root, generatedFile(mode));
    const text = renderText(root, mode);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (current === text) continue;
    if (check) {
      process.stderr.write(`${generatedFile(mode)} is out of date: run npm run gen:prometheus\n`);
      stale++;
    } else {
      writeFileSync(file, text);
      process.stdout.write(`wrote ${generatedFile(mode)}\n`);
    }
  }
  return stale ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exit(main(process.argv.slice(2)));
