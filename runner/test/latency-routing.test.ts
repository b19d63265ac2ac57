/**
 * Scenario 09's routing on the runner's side (HopInjection), without Toxiproxy or cgroups: a compose of the
 * test's own (one profile with internal hops, one without), a stand-in Lab that records what it is asked to
 * spawn and release, a stand-in toxiproxy binary (TOXIPROXY_BIN, answering -version) and a fake Toxiproxy API
 * on a free loopback port (port 0). The injector talks to the API port it picked for its child; the test points
 * fetch from that port to the fake's (nothing listens on the injector's own pick).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LabCompose, ServiceSpec } from '../src/lab/compose.js';
import { parseRoutes, ROUTES_VAR } from '../src/lab/hop-routes.js';
import type { Lab } from '../src/lab/launcher.js';
import { LabPaths } from '../src/lab/paths.js';
import { HopInjection } from '../src/latency/routing.js';

function service(
  name: string,
  profile: string,
  environment: Record<string, string>,
  o: Partial<ServiceSpec> = {},
) {
  const s: ServiceSpec = {
    name,
    profiles: [profile],
    command: ['node', `${name}.js`],
    environment,
    dependsOn: [],
    cpuset: null,
    memLimitBytes: null,
    healthcheckTest: null,
    stopSignal: 'SIGTERM',
    stopGraceSeconds: 10,
    hostPorts: [],
    restart: { name: 'no' },
    native: null,
    ...o,
  };
  return s;
}

const native = (env: Record<string, string>, oneshot = false): ServiceSpec['native'] => ({
  command: ['node'],
  env,
  health: null,
  user: null,
  setup: null,
  creates: null,
  requires: [],
  oneshot,
  locks: [],
  healthTimeoutSeconds: 30,
  dockerOnly: null,
});

/**
 * "split": a BFF calling an API (compose environment) that calls a database and, natively, a cache; a one-shot
 * seeder also names the database (not on the request path). "flat": one process, no other service named.
 */
const compose: LabCompose = {
  file: 'docker-compose.yml',
  project: 'test',
  env: {},
  targets: [],
  services: new Map(
    [
      service(
        'api',
        'split',
        { DB_URL: 'mongodb://127.0.0.1:27999/shop', PORT: '4000' },
        {
          native: native({ CACHE_URL: 'http://localhost:4999' }),
        },
      ),
      service(
        'bff',
        'split',
        { API_URL: 'http://127.0.0.1:4000/api', HOST: '127.0.0.1' },
        {
          dependsOn: [{ name: 'api', condition: 'service_started' }],
        },
      ),
      service('seed', 'split', { DB_URL: 'mongodb://127.0.0.1:27998' }, { native: native({}, true) }),
      service('solo', 'flat', { PORT: '4100', HOST: '127.0.0.1', PUBLIC_URL: 'http://example.com:80' }),
    ].map((s) => [s.name, s]),
  ),
};
const SPLIT_UPSTREAMS = ['127.0.0.1:27999', '127.0.0.1:4000', '127.0.0.1:4999'];

/** What the fake Toxiproxy API was asked, and its proxies' toxics. */
const api = {
  calls: [] as string[],
  populated: [] as { name: string; listen: string; upstream: string; enabled: boolean }[][],
  toxics: new Map<
    string,
    Map<string, { type: string; stream: string; attributes: Record<string, number> }>
  >(),
};
const toxicsOf = (proxy: string) => {
  if (!api.toxics.has(proxy)) api.toxics.set(proxy, new Map());
  return api.toxics.get(proxy)!;
};
const fakeApi = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    api.calls.push(`${req.method} ${path}`);
    const send = (status: number, json: unknown = {}) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 204 ? undefined : JSON.stringify(json));
    };
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && path === '/version') return send(200, { version: 'v2.5.0' });
    if (req.method === 'POST' && path === '/populate') {
      api.populated.push(JSON.parse(body));
      return send(201, { proxies: [] });
    }
    if (req.method === 'DELETE' && (m = /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/.exec(path)))
      return send(toxicsOf(m[1]!).delete(m[2]!) ? 204 : 404);
    if (req.method === 'POST' && (m = /^\/proxies\/([^/]+)\/toxics$/.exec(path))) {
      const t = JSON.parse(body) as {
        name: string;
        type: string;
        stream: string;
        attributes: Record<string, number>;
      };
      toxicsOf(m[1]!).set(t.name, { type: t.type, stream: t.stream, attributes: t.attributes });
      return send(200, t);
    }
    send(404, { error: 'not found' });
  });
});

/** The stand-in Lab: spawns a placeholder process for the injector and records every spawn and release. */
const spawned: { profile: string; service: string; argv: string[]; child: ChildProcess }[] = [];
const released: string[] = [];
const apiPorts = new Set<string>();
const lab = {
  compose,
  async spawnInCgroup(profile: string, service: string, argv: string[]) {
    apiPorts.add(argv[argv.indexOf('-port') + 1]!);
    const child = spawn('sleep', ['600'], { stdio: 'pipe' });
    spawned.push({ profile, service, argv, child });
    return { child, cgroup: null };
  },
  async releaseOneshot(profile: string, service: string) {
    released.push(`${profile}/${service}`);
  },
} as unknown as Lab;

const dir = mkdtempSync(join(tmpdir(), 'lab-routing-'));
const fakeBin = join(dir, 'toxiproxy');
writeFileSync(fakeBin, '#!/bin/sh\necho "toxiproxy-server version v2.5.0"\n');
chmodSync(fakeBin, 0o755);
const tools = { paths: new LabPaths(dir), env: { TOXIPROXY_BIN: fakeBin, PATH: '' }, log: () => undefined };

const realFetch = globalThis.fetch;

before(async () => {
  await new Promise<void>((r) => fakeApi.listen(0, '127.0.0.1', r));
  const fake = String((fakeApi.address() as AddressInfo).port);
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname === '127.0.0.1' && apiPorts.has(url.port)) url.port = fake;
    return realFetch(url, init);
  }) as typeof fetch;
});

after(async () => {
  globalThis.fetch = realFetch;
  for (const s of spawned)
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  fakeApi.closeAllConnections();
  await new Promise<void>((r) => fakeApi.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const reset = () => {
  spawned.length = 0;
  released.length = 0;
  api.calls.length = 0;
  api.populated.length = 0;
  api.toxics.clear();
};

describe('HopInjection', { concurrency: false }, () => {
  test('a profile without internal hops gets no routes and starts no injector', async () => {
    reset();
    // No TOXIPROXY_BIN and no PATH: looking for the tool would fail.
    const hops = new HopInjection(lab, { ...tools, env: {} });
    assert.deepEqual(await hops.envFor('flat'), {});
    await hops.setLatency(50);
    assert.deepEqual(spawned, []);
    assert.deepEqual(api.calls, []);
    await hops.stop();
    assert.deepEqual(released, ['injector/toxiproxy'], "stop still releases the injector's cgroup");
  });

  test('a profile with hops: one proxy per distinct upstream, given to ./lab as LAB_HOP_ROUTES', async () => {
    reset();
    const hops = new HopInjection(lab, tools);
    try {
      const env = await hops.envFor('split');
      assert.deepEqual(Object.keys(env), [ROUTES_VAR]);
      const routes = parseRoutes(env[ROUTES_VAR])!;
      assert.deepEqual(Object.keys(routes).sort(), SPLIT_UPSTREAMS, "the one-shot's database is not a hop");
      const listens = Object.values(routes);
      assert.equal(new Set(listens).size, listens.length, 'a proxy of its own for each upstream');
      for (const [from, to] of Object.entries(routes)) assert.notEqual(to, from);

      assert.equal(spawned.length, 1);
      const { profile, service, argv } = spawned[0]!;
      assert.equal(`${profile}/${service}`, 'injector/toxiproxy');
      assert.deepEqual(argv.slice(0, 4), [fakeBin, '-host', '127.0.0.1', '-port']);
      assert.match(argv[4]!, /^\d+$/);

      assert.equal(api.calls[0], 'GET /version', 'waited for the API before routing');
      assert.equal(api.populated.length, 1);
      assert.deepEqual(
        Object.fromEntries(api.populated[0]!.map((p) => [p.upstream, p.listen])),
        routes,
        'the proxies Toxiproxy was told to open are the routes ./lab is given',
      );
      assert.ok(api.populated[0]!.every((p) => p.enabled));
    } finally {
      await hops.stop();
    }
  });

  test('one injector per session: routed again, its latency set on every proxy, stopped and released', async () => {
    reset();
    const hops = new HopInjection(lab, tools);
    await hops.envFor('split');
    await hops.envFor('split');
    assert.equal(spawned.length, 1, 'the second profile start reuses the running injector');
    assert.equal(api.populated.length, 2);

    await hops.setLatency(30);
    const proxies = api.populated[1]!.map((p) => p.name);
    assert.equal(proxies.length, 3);
    for (const p of proxies) {
      const t = toxicsOf(p);
      assert.deepEqual([...t.keys()].sort(), ['lab-downstream', 'lab-upstream'], p);
      for (const x of t.values()) {
        assert.equal(x.type, 'latency_us');
        assert.deepEqual(x.attributes, { latency_us: 15_000, jitter_us: 0 }, 'half the round trip each way');
      }
      assert.equal(t.get('lab-upstream')!.stream, 'upstream');
      assert.equal(t.get('lab-downstream')!.stream, 'downstream');
    }

    await hops.setLatency(0);
    for (const p of proxies) assert.equal(toxicsOf(p).size, 0, `0 ms: bare proxy ${p}`);
    await assert.rejects(hops.setLatency(-1), /added latency must be >= 0 ms/);

    const child = spawned[0]!.child;
    await hops.stop();
    assert.ok(child.exitCode !== null || child.signalCode !== null, 'the injector process has ended');
    assert.deepEqual(released, ['injector/toxiproxy']);

    await hops.setLatency(10);
    assert.equal(api.calls.filter((c) => c.startsWith('POST /proxies/')).length, 6, 'stopped: nothing set');
    await hops.envFor('split');
    assert.equal(spawned.length, 2, 'after stop, the next start starts a new injector');
    await hops.stop();
  });

  test('two targets asking for routes at once share one injector', async () => {
    reset();
    const hops = new HopInjection(lab, tools);
    try {
      const envs = await Promise.all([hops.envFor('split'), hops.envFor('split')]);
      assert.equal(spawned.length, 1, 'one Toxiproxy process, not one per caller');
      assert.equal(api.populated.length, 2);
      for (const env of envs)
        assert.deepEqual(Object.keys(parseRoutes(env[ROUTES_VAR])!).sort(), SPLIT_UPSTREAMS);
    } finally {
      await hops.stop();
    }
    assert.deepEqual(released, ['injector/toxiproxy']);
  });
});
