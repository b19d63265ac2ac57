/**
 * Scenario 09's latency injector: one Toxiproxy process (runner/toxiproxy, built by ./lab doctor --install) with
 * one proxy per upstream of the target's internal hops, driven through Toxiproxy's HTTP API. "Added latency per
 * hop" is added round-trip time: half of it on each direction of every proxied connection (latency_us toxics), so
 * one request/response exchange over a hop takes `ms` longer. The process runs in its own cgroup
 * (lab/injector/toxiproxy, on the load generator's cores): its CPU is counted to neither the target nor k6.
 */
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../lib/net.js';
import type { HopRoutes } from '../lab/hop-routes.js';

export type SpawnInjector = (argv: string[]) => Promise<{ child: ChildProcess; cgroup: string | null }>;

const TOXICS = [
  { name: 'lab-upstream', stream: 'upstream' },
  { name: 'lab-downstream', stream: 'downstream' },
] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Injector {
  /** Every proxy routed so far (a name per upstream): each step's latency is set on all of them. */
  private readonly proxies = new Set<string>();
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly api: string,
    readonly cgroup: string | null,
  ) {
    const keep = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts Toxiproxy on a free loopback port and waits for its API. */
  static async start(binary: string, spawn: SpawnInjector, waitMs = 15_000): Promise<Injector> {
    const port = await freePort();
    const { child, cgroup } = await spawn([binary, '-host', '127.0.0.1', '-port', String(port)]);
    const inj = new Injector(child, `http://127.0.0.1:${port}`, cgroup);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`toxiproxy exited ${child.exitCode}: ${inj.output}`);
      try {
        if ((await fetch(`${inj.api}/version`)).ok) return inj;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        await inj.stop();
        throw new Error(`toxiproxy did not answer on ${inj.api} within ${waitMs} ms: ${inj.output}`);
      }
      await sleep(100);
    }
  }

  private async call(method: string, path: string, body?: unknown, okStatuses = [200, 201, 204]) {
    const r = await fetch(this.api + path, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await r.text();
    if (!okStatuses.includes(r.status)) throw new Error(`toxiproxy ${method} ${path}: ${r.status} ${text}`);
    return text;
  }

  /** One proxy per upstream ("127.0.0.1:port"), each on a free loopback port; returns the routes for ./lab. */
  async route(upstreams: readonly string[]): Promise<HopRoutes> {
    const routes: HopRoutes = {};
    const defs = [];
    for (const upstream of upstreams) {
      const listen = `127.0.0.1:${await freePort()}`;
      routes[upstream] = listen;
      defs.push({ name: `hop-${upstream.replace(/[^0-9]/g, '-')}`, listen, upstream, enabled: true });
    }
    await this.call('POST', '/populate', defs);
    for (const d of defs) this.proxies.add(d.name);
    return routes;
  }

  /** Sets the added round-trip latency of every hop (0 removes the toxics: a bare proxy). */
  async setLatency(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`added latency must be >= 0 ms, got ${ms}`);
    const oneWayUs = Math.round((ms * 1000) / 2);
    for (const proxy of this.proxies) {
      for (const t of TOXICS) {
        await this.call('DELETE', `/proxies/${proxy}/toxics/${t.name}`, undefined, [204, 404]);
        if (oneWayUs > 0)
          await this.call('POST', `/proxies/${proxy}/toxics`, {
            name: t.name,
            type: 'latency_us',
            stream: t.stream,
            toxicity: 1,
            attributes: { latency_us: oneWayUs, jitter_us: 0 },
          });
      }
    }
  }

  /** The toxics of every proxy, as Toxiproxy reports them (for the run's record and for tests). */
  async describe(): Promise<unknown> {
    return JSON.parse(await this.call('GET', '/proxies'));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}
