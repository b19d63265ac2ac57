// The latency injector for real: the lab's Toxiproxy build between a client and a node:http server on loopback.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Injector } from '../src/latency/injector.js';
import { LabPaths } from '../src/lab/paths.js';
import { findTool } from '../src/lab/tools.js';
import { repoRoot } from '../src/lib/env-file.js';
import { freePort } from '../src/lib/net.js';

const tool = findTool('toxiproxy', {
  paths: new LabPaths(repoRoot()),
  env: process.env,
  log: () => undefined,
});

/** Median time of `n` sequential GETs (fresh connection each: every request crosses the hop). */
async function medianMs(url: string, n = 9): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fetch(url, { headers: { connection: 'close' } });
    await r.text();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)]!;
}

describe('Injector (Toxiproxy + latency_us)', () => {
  let server: Server;
  let injector: Injector;
  let upstream: string;

  before(async () => {
    assert.ok(tool, 'toxiproxy not found: run ./lab doctor --install (or set TOXIPROXY_BIN)');
    const port = await freePort();
    upstream = `127.0.0.1:${port}`;
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    injector = await Injector.start(tool.path, async (argv) => ({
      child: spawn(argv[0]!, argv.slice(1), { stdio: 'pipe' }),
      cgroup: null,
    }));
  });

  after(async () => {
    await injector?.stop();
    server?.close();
  });

  test('routes a hop through a proxy, and adds the round-trip latency asked for', async () => {
    const routes = await injector.route([upstream]);
    const via = `http://${routes[upstream]}/`;
    assert.notEqual(routes[upstream], upstream);
    await injector.setLatency(0);
    const bare = await medianMs(via);
    await injector.setLatency(100);
    const slow = await medianMs(via);
    // Every chunk waits for its half of the RTT after it reached the proxy: an exchange takes at least the RTT
    // (not bare + RTT: on a busy host the proxy's own delays overlap with the toxic's).
    assert.ok(slow >= 100, `bare ${bare.toFixed(2)} ms, with 100 ms per hop ${slow.toFixed(2)} ms`);
    await injector.setLatency(0);
    const after = await medianMs(via);
    assert.ok(
      after < slow - 50,
      `setting 0 removes the delay: ${after.toFixed(2)} ms after, ${slow.toFixed(2)} ms with it`,
    );
  });

  test("expresses sub-millisecond latencies (Toxiproxy's own latency toxic cannot)", async () => {
    await injector.setLatency(0.25);
    const proxies = (await injector.describe()) as Record<
      string,
      { toxics: { type: string; stream: string; attributes: { latency_us: number } }[] }
    >;
    const toxics = Object.values(proxies)[0]!.toxics;
    assert.deepEqual(toxics.map((t) => [t.type, t.stream, t.attributes.latency_us]).sort(), [
      ['latency_us', 'downstream', 125],
      ['latency_us', 'upstream', 125],
    ]);
    await assert.rejects(injector.setLatency(-1), /must be >= 0 ms/);
  });
});
