/**
 * The monitoring configuration without any lab service running: the generated Prometheus files are up to date and
 * differ only in addresses, the compose profile follows the lab's rules, the dashboards are well formed, and a real
 * Prometheus applying the generated relabelling to Docker-form and native-form cAdvisor series (served by fake
 * exporters) gives both the same target/service labels.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { budgetFromEnv, checkProfileRules, loadCompose, resolveProfile } from '../src/lab/compose.js';
import { LabPaths } from '../src/lab/paths.js';
import { findTool } from '../src/lab/tools.js';
import { repoRoot } from '../src/lib/env-file.js';
import {
  DASHBOARD_DIR,
  DATASOURCE_UID,
  loadDashboards,
  SCRAPE_INTERVAL_SECONDS,
  substitute,
  variablesIn,
} from '../src/monitoring/dashboards.js';
import { k6RemoteWrite, k6Selector, prometheusUrl } from '../src/monitoring/monitor.js';
import { Prometheus } from '../src/monitoring/prometheus-api.js';
import {
  generatedFile,
  MODES,
  renderConfig,
  renderText,
  TEMPLATE,
  targetServices,
} from '../src/monitoring/prometheus-config.js';

const root = repoRoot();
const c = loadCompose(root, {});
const budget = budgetFromEnv(c.env);
type Obj = Record<string, unknown>;
type Job = { job_name: string; static_configs?: { targets: string[]; labels?: Obj }[] } & Obj;
const jobs = (mode: 'docker' | 'native') => (renderConfig(root, mode)['scrape_configs'] as Job[]) ?? [];

describe('the Prometheus configuration: one template, rendered for Docker and natively', () => {
  test('generated/docker.yml and generated/native.yml are up to date (npm run gen:prometheus)', () => {
    for (const mode of MODES) {
      assert.equal(
        readFileSync(join(root, generatedFile(mode)), 'utf8'),
        renderText(root, mode),
        `${generatedFile(mode)} is out of date: npm run gen:prometheus`,
      );
    }
  });

  test('the two modes differ only in scrape addresses: every label is the same', () => {
    const strip = (mode: 'docker' | 'native') =>
      jobs(mode).map((j) => ({
        ...j,
        static_configs: j.static_configs?.map((s) => ({ ...s, targets: s.targets.map(() => 'ADDRESS') })),
      }));
    assert.deepEqual(strip('docker'), strip('native'));
    // Docker scrapes compose service names on the compose network, ./lab loopback.
    for (const s of jobs('native').flatMap((j) => j.static_configs ?? []))
      for (const t of s.targets) assert.match(t, /^127\.0\.0\.1:\d+$/);
    for (const s of jobs('docker').flatMap((j) => j.static_configs ?? []))
      for (const t of s.targets) assert.equal(t.split(':')[0], (s.labels as Obj)['instance']);
  });

  test('every Node service of every target is scraped, labelled with its target and service', () => {
    const scraped = jobs('native')
      .find((j) => j.job_name === 'services')!
      .static_configs!.map((s) => s.labels as Obj);
    const expected = c.targets.flatMap((t) =>
      resolveProfile(c, t.profile)
        .filter((s) => !s.native?.oneshot && s.environment['PORT'])
        .map((s) => ({ instance: s.name, target: t.name, service: s.name })),
    );
    assert.deepEqual(scraped, expected);
    // Every target's public port is among them (the contract's /metrics is served there).
    for (const t of c.targets) {
      const port = new URL(t.url).port;
      assert.ok(
        targetServices(c, 'native').some(
          (s) => s.address === `127.0.0.1:${port}` && s.labels.target === t.name,
        ),
        `${t.name}: nothing scraped on ${port}`,
      );
    }
    const names = jobs('native').map((j) => j.job_name);
    assert.deepEqual(names.sort(), ['cadvisor', 'prometheus', 'services']);
  });

  test('promtool accepts both files', () => {
    const prom = findTool('prometheus', {
      paths: new LabPaths(root),
      env: process.env,
      log: () => undefined,
    });
    assert.ok(prom, 'prometheus not found: run ./lab setup (part of the README test command)');
    const promtool = join(dirname(prom.path), 'promtool');
    for (const mode of MODES) {
      const r = spawnSync(promtool, ['check', 'config', join(root, generatedFile(mode))], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, `${generatedFile(mode)}: ${r.stdout}${r.stderr}`);
    }
  });
});

describe('the monitoring profile in docker-compose.yml', () => {
  const services = resolveProfile(c, 'monitoring');
  const raw = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Obj>;
  };

  test('Prometheus, cAdvisor and Grafana: pinned images, off the SUT cores, loopback ports', () => {
    assert.deepEqual(services.map((s) => s.name).sort(), ['cadvisor', 'grafana', 'prometheus']);
    assert.deepEqual(checkProfileRules(c, 'monitoring', budget), []);
    for (const s of services) {
      assert.equal(
        s.cpuset,
        budget.loadgenCpuset,
        `${s.name} must run on LAB_LOADGEN_CPUSET, never the SUT's`,
      );
      assert.ok(s.memLimitBytes, `${s.name}: no mem_limit`);
      const r = raw.services[s.name]!;
      assert.match(String(r['image']), /:v?\d+\.\d+\.\d+$/, `${s.name}: image not pinned to a version`);
      for (const p of (r['ports'] as string[]) ?? []) assert.match(p, /^127\.0\.0\.1:/, `${s.name}: ${p}`);
    }
    assert.match(String(raw.services['cadvisor']!['image']), /^ghcr\.io\/google\/cadvisor:/);
  });

  test('Grafana is Docker-only: anonymous viewers, read-only provisioning; ./lab skips it', () => {
    const g = c.services.get('grafana')!;
    assert.ok(g.native?.dockerOnly);
    assert.equal(g.environment['GF_AUTH_ANONYMOUS_ENABLED'], 'true');
    assert.equal(g.environment['GF_AUTH_ANONYMOUS_ORG_ROLE'], 'Viewer');
    const home = g.environment['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH']!;
    const mount = (raw.services['grafana']!['volumes'] as string[])[0]!.split(':');
    assert.equal(mount[0], './monitoring/grafana/provisioning');
    assert.equal(mount[2], 'ro');
    assert.ok(home.startsWith(`${mount[1]}/`));
    assert.doesNotThrow(() =>
      readFileSync(join(root, 'monitoring/grafana/provisioning', home.slice(mount[1]!.length))),
    );
    const provider = parse(
      readFileSync(join(root, 'monitoring/grafana/provisioning/dashboards/lab.yml'), 'utf8'),
    ) as { providers: Obj[] };
    for (const p of provider.providers) {
      assert.equal(p['allowUiUpdates'], false);
      assert.equal(p['disableDeletion'], true);
      assert.equal((p['options'] as Obj)['path'], `${mount[1]}/dashboards/lab`);
    }
    const ds = parse(
      readFileSync(join(root, 'monitoring/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as { datasources: Obj[] };
    assert.equal(ds.datasources.length, 1);
    assert.equal(ds.datasources[0]!['uid'], DATASOURCE_UID);
    assert.equal(ds.datasources[0]!['editable'], false);
    // Grafana reaches Prometheus where the Docker configuration says Prometheus is.
    const promTarget = jobs('docker').find((j) => j.job_name === 'prometheus')!.static_configs![0]!
      .targets[0];
    assert.equal(ds.datasources[0]!['url'], `http://${promTarget}`);
    assert.equal(
      (ds.datasources[0]!['jsonData'] as Obj)['timeInterval'],
      (parse(readFileSync(join(root, TEMPLATE), 'utf8')) as { global: Obj }).global['scrape_interval'],
    );
  });

  test('Docker and native run Prometheus and cAdvisor the same way', () => {
    const flags = (argv: string[]) => argv.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]);
    const prom = c.services.get('prometheus')!;
    for (const f of ['--web.enable-remote-write-receiver', '--enable-feature']) {
      assert.ok(
        prom.command!.some((a) => a.startsWith(f)),
        `docker: ${f}`,
      );
      assert.ok(
        prom.native!.command.some((a) => a.startsWith(f)),
        `native: ${f}`,
      );
    }
    assert.deepEqual(flags(prom.command!).sort(), flags(prom.native!.command).sort());
    assert.ok(prom.native!.command.includes('--enable-feature=native-histograms'));
    assert.ok(prom.native!.command.some((a) => a.includes('generated/native.yml')));
    assert.ok(
      (raw.services['prometheus']!['volumes'] as string[]).some((v) =>
        v.startsWith('./monitoring/prometheus/generated/docker.yml:'),
      ),
    );
    const cad = c.services.get('cadvisor')!;
    const opt = (argv: string[], name: string) => argv.find((a) => a.startsWith(`--${name}=`));
    for (const f of ['port', 'housekeeping_interval', 'storage_duration', 'disable_metrics'])
      assert.equal(opt(cad.command!, f), opt(cad.native!.command, f), f);
    // Natively only this checkout's cgroups; with Docker the natively run k6 of any checkout (compose cannot
    // interpolate a project name taken from the directory).
    assert.equal(
      opt(cad.native!.command, 'raw_cgroup_prefix_whitelist'),
      '--raw_cgroup_prefix_whitelist=/lab/{project}',
    );
    assert.equal(opt(cad.command!, 'raw_cgroup_prefix_whitelist'), '--raw_cgroup_prefix_whitelist=/lab');
    assert.ok(opt(cad.native!.command, 'disable_metrics')!.split(',').includes('percpu'));
    // The runner finds Prometheus where ./lab runs it.
    assert.equal(prometheusUrl(c, {}), 'http://127.0.0.1:19090');
    assert.equal(prom.native!.health && 'url' in prom.native!.health, true);
  });

  test('k6 streams by remote write with native histograms and the target as a tag', () => {
    const k = k6RemoteWrite('http://127.0.0.1:19090', 'r1', {
      target: 'reference',
      scenario: '03-pdp',
      step: 'main',
      run: 2,
      phase: 'measure',
    });
    assert.deepEqual(k.args.slice(0, 2), ['-o', 'experimental-prometheus-rw']);
    for (const t of [
      'target=reference',
      'scenario_name=03-pdp',
      'step=main',
      'run_id=r1',
      'run=2',
      'phase=measure',
    ])
      assert.ok(k.args.includes(t), t);
    assert.equal(k.env['K6_PROMETHEUS_RW_SERVER_URL'], 'http://127.0.0.1:19090/api/v1/write');
    assert.equal(k.env['K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM'], 'true');
    // The stored k6 totals select exactly one run's series: every tag that tells runs apart.
    assert.equal(
      k6Selector('r1', { target: 'reference', scenario: '03-pdp', step: 'main', run: 2, phase: 'measure' }),
      'target="reference", run_id="r1", scenario_name="03-pdp", run="2", step="main", phase="measure"',
    );
  });
});

describe('the dashboards', () => {
  const dashboards = loadDashboards(root);

  test('Lab overview and Service internals, read-only, every query on the fixed datasource', () => {
    assert.deepEqual(dashboards.map((d) => d.title).sort(), ['Lab overview', 'Service internals']);
    for (const d of dashboards) {
      assert.equal(d.editable, false, d.title);
      assert.ok(d.uid.startsWith('lab-'), d.title);
      assert.ok(d.queries.length > 0, d.title);
      for (const q of d.queries) {
        assert.equal(q.datasourceUid, DATASOURCE_UID, `${d.title} / ${q.panel}`);
        for (const v of variablesIn(q.expr))
          assert.ok(
            d.variables.some((x) => x.name === v),
            `${d.title} / ${q.panel}: $${v} is not a variable`,
          );
      }
      assert.ok(readFileSync(join(root, d.file), 'utf8').endsWith('\n'));
    }
    const titles = dashboards.flatMap((d) => d.queries.map((q) => q.panel));
    for (const t of [
      'Requests/s',
      'Latency p50 / p95 / p99',
      'Error rate',
      'CPU cores used',
      'CPU throttling %',
      'Working-set memory',
      'Load generator: k6 CPU cores used',
      'Route latency p50 / p95 / p99 (server side)',
      'BFF → service latency p95 / p99',
      'Database pool (mono: pg)',
    ])
      assert.ok(titles.includes(t), t);
    assert.ok(DASHBOARD_DIR.startsWith('monitoring/grafana/provisioning/'));
  });

  test('substitution follows Grafana: multi-value variables become an escaped alternation', () => {
    const d = dashboards.find((x) => x.uid === 'lab-overview')!;
    const q = d.queries.find((x) => x.panel === 'Requests/s')!;
    const b = { rateInterval: 4 * SCRAPE_INTERVAL_SECONDS, interval: 5, range: 60 };
    assert.equal(
      substitute(q.expr, d, { target: ['micro', 'mono'] }, b),
      'sum by (target) (rate(k6_http_reqs_total{target=~"(micro|mono)"}[20s]))',
    );
    assert.equal(
      substitute(q.expr, d, { target: ['a.b'] }, b),
      'sum by (target) (rate(k6_http_reqs_total{target=~"a\\\\.b"}[20s]))',
    );
    assert.throws(() => substitute('up{x="$nope"}', d, {}, b), /\$nope/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A real Prometheus applies the generated rules to fake exporters.

function serve(text: () => string): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(text());
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}
const addr = (s: Server) => `127.0.0.1:${(s.address() as AddressInfo).port}`;
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const DOCKER_CADVISOR = `# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container_label_com_docker_compose_project="lab",container_label_com_docker_compose_service="reference",id="/docker/1f2e",image="lab/node-services:local",name="lab-reference-1"} 100
container_memory_working_set_bytes{container_label_com_docker_compose_project="lab",container_label_com_docker_compose_service="bff",id="/system.slice/docker-3c4d.scope",image="lab/node-services:local",name="lab-bff-1"} 200
container_memory_working_set_bytes{container_label_com_docker_compose_project="lab",container_label_com_docker_compose_service="prometheus",id="/docker/5e6f",image="prom/prometheus:v2.42.0",name="lab-prometheus-1"} 300
container_memory_working_set_bytes{id="/lab/p/loadgen/k6"} 400
container_memory_working_set_bytes{container_label_com_docker_compose_project="other",container_label_com_docker_compose_service="unrelated",id="/docker/9999",image="x",name="other-unrelated-1"} 1
container_memory_working_set_bytes{id="/"} 1
container_memory_working_set_bytes{id="/docker"} 1
# TYPE machine_cpu_cores gauge
machine_cpu_cores 2
`;
const NATIVE_CADVISOR = `# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{id="/lab/p/reference/reference"} 100
container_memory_working_set_bytes{id="/lab/p/reference"} 100
container_memory_working_set_bytes{id="/lab/p/micro/bff"} 200
container_memory_working_set_bytes{id="/lab/p/micro"} 200
container_memory_working_set_bytes{id="/lab/p/monitoring/prometheus"} 300
container_memory_working_set_bytes{id="/lab/p/loadgen/k6"} 400
container_memory_working_set_bytes{id="/lab/p/micro/bff/deeper"} 1
container_memory_working_set_bytes{id="/"} 1
container_memory_working_set_bytes{id="/user.slice"} 1
# TYPE machine_cpu_cores gauge
machine_cpu_cores 2
`;
const BFF_METRICS = `# TYPE http_requests_total counter
http_requests_total{route="/api/home",method="GET",status="200",target="micro",service="bff"} 3
# TYPE bff_upstream_duration_seconds histogram
bff_upstream_duration_seconds_bucket{le="0.01",service="catalog",outcome="ok",target="micro"} 2
bff_upstream_duration_seconds_bucket{le="+Inf",service="catalog",outcome="ok",target="micro"} 2
bff_upstream_duration_seconds_sum{service="catalog",outcome="ok",target="micro"} 0.004
bff_upstream_duration_seconds_count{service="catalog",outcome="ok",target="micro"} 2
`;

describe('the generated relabelling, applied by a real Prometheus to Docker-form and native-form series', () => {
  let dir: string;
  let child: ChildProcess | null = null;
  const servers: Server[] = [];
  let prom: Prometheus;

  before(async () => {
    const tool = findTool('prometheus', {
      paths: new LabPaths(root),
      env: process.env,
      log: () => undefined,
    });
    assert.ok(tool, 'prometheus not found: run ./lab setup (part of the README test command)');
    dir = mkdtempSync(join(tmpdir(), 'lab-prom-relabel-'));
    const [dockerC, nativeC, bff] = await Promise.all([
      serve(() => DOCKER_CADVISOR),
      serve(() => NATIVE_CADVISOR),
      serve(() => BFF_METRICS),
    ]);
    servers.push(dockerC!, nativeC!, bff!);
    // The generated jobs, each pointed at a fake exporter (the labels of their static configs kept).
    const pick = (mode: 'docker' | 'native', name: string) => jobs(mode).find((j) => j.job_name === name)!;
    const at = (j: Job, jobName: string, address: string, labels?: Obj): Job => ({
      ...j,
      job_name: jobName,
      static_configs: [{ targets: [address], labels: labels ?? j.static_configs![0]!.labels! }],
    });
    const services = pick('docker', 'services');
    const bffLabels = services.static_configs!.find((s) => (s.labels as Obj)['service'] === 'bff')!.labels!;
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '900ms' },
      scrape_configs: [
        at(pick('docker', 'cadvisor'), 'cadvisor_docker', addr(dockerC!)),
        at(pick('native', 'cadvisor'), 'cadvisor_native', addr(nativeC!)),
        at(services, 'services', addr(bff!), bffLabels),
      ],
    };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    child = spawn(
      tool.path,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    prom = new Prometheus(`http://127.0.0.1:${port}`);
    await prom.waitReady(30_000);
    // Until every job has been scraped at least twice.
    const t0 = Date.now();
    for (;;) {
      const up = await prom.query('count_over_time(up[1m])');
      if (up.length === 3 && up.every((s) => (s.samples[0]?.[1] ?? 0) >= 2)) break;
      assert.ok(Date.now() - t0 < 30_000, 'the fake exporters were not scraped');
      await new Promise((r) => setTimeout(r, 300));
    }
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const labelSets = async (job: string) =>
    (await prom.query(`container_memory_working_set_bytes{job="${job}"}`))
      .map((s) => {
        const { job: _job, __name__: _n, ...rest } = s.labels;
        return JSON.stringify(rest);
      })
      .sort();

  test('a container and a native cgroup of the same service carry the same labels; nothing else survives', async () => {
    const docker = await labelSets('cadvisor_docker');
    const native = await labelSets('cadvisor_native');
    const withService = (sets: string[]) => sets.filter((s) => 'service' in JSON.parse(s));
    assert.deepEqual(withService(docker), withService(native));
    assert.deepEqual(withService(native), [
      '{"instance":"cadvisor","service":"bff","target":"micro"}',
      '{"instance":"cadvisor","service":"k6","target":"loadgen"}',
      '{"instance":"cadvisor","service":"prometheus","target":"monitoring"}',
      '{"instance":"cadvisor","service":"reference","target":"reference"}',
    ]);
    // Natively the target as a whole (its parent cgroup, which carries the budget) has no service label.
    assert.deepEqual(
      native.filter((s) => !('service' in JSON.parse(s))),
      ['{"instance":"cadvisor","target":"micro"}', '{"instance":"cadvisor","target":"reference"}'],
    );
    assert.deepEqual(docker.length, 4, 'a container outside the lab, /, /docker are dropped');
    // Series that are not container_* keep the exporter's own labels.
    const machine = await prom.query('machine_cpu_cores{job="cadvisor_native"}');
    assert.equal(machine[0]?.labels['service'], 'cadvisor');
    assert.equal(machine[0]?.labels['target'], 'monitoring');
  });

  test("a service's metrics carry the scrape's target/service; the BFF's upstream service becomes `upstream`", async () => {
    const reqs = await prom.query('http_requests_total');
    assert.equal(reqs.length, 1);
    assert.deepEqual(reqs[0]!.labels, {
      __name__: 'http_requests_total',
      instance: 'bff',
      job: 'services',
      method: 'GET',
      route: '/api/home',
      service: 'bff',
      status: '200',
      target: 'micro',
    });
    const up = await prom.query('bff_upstream_duration_seconds_count');
    assert.deepEqual(up[0]!.labels, {
      __name__: 'bff_upstream_duration_seconds_count',
      instance: 'bff',
      job: 'services',
      outcome: 'ok',
      service: 'bff',
      target: 'micro',
      upstream: 'catalog',
    });
  });
});
