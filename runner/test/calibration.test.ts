import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ceilingFrom, ceilingOf } from '../src/calibration/calibrate.js';
import { listen, NULL_BODY, nullServer } from '../src/calibration/null-server.js';
import {
  cpuTimes,
  driftMeter,
  memoryProbeMs,
  probeMs,
  probeOn,
  stealShare,
} from '../src/calibration/speed-probe.js';
import { type Calibration } from '../src/results/types.js';

describe('the null endpoint', () => {
  test('answers every method and path with the same small JSON, keep-alive', async () => {
    const server = nullServer();
    const port = await listen(server, 0);
    try {
      for (const [method, path, body] of [
        ['GET', '/api/products/174', undefined],
        ['GET', '/health', undefined],
        ['POST', '/api/carts/x/items', '{"productId":1,"quantity":1}'],
      ] as const) {
        const r = await fetch(`http://127.0.0.1:${port}${path}`, { method, body });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
        assert.equal(await r.text(), NULL_BODY);
      }
      // The scenarios' health check accepts it, so 00 calibrates too.
      assert.ok(NULL_BODY.startsWith('{"status":"ok","target":"'));
    } finally {
      server.close();
    }
  });
});

describe('calibration and drift', () => {
  test('the ceiling is the lowest session’s; none measured gives null', () => {
    const c = (rps: number) => ({ rps, ceilingRps: rps }) as Calibration;
    assert.equal(ceilingOf([c(12_000), c(9_000), c(11_000)]), 9_000);
    assert.equal(ceilingOf([]), null);
    assert.equal(ceilingOf(undefined), null);
    assert.equal(ceilingOf([c(0)]), null);
    assert.equal(ceilingOf([{ rps: 700 } as Calibration]), 700, 'manifests before ceilingRps');
  });

  test('a k6 that did not saturate its core: the ceiling is its requests per second of its own CPU', () => {
    assert.equal(ceilingFrom(10_000, 1), 10_000);
    assert.equal(ceilingFrom(10_000, 0.98), 10_000 / 0.98);
    assert.equal(ceilingFrom(2_000, 0.4), 5_000);
    assert.equal(ceilingFrom(2_000, 0.01), 20_000, 'clamped at 10%: a tiny share is noise');
    assert.equal(ceilingFrom(2_000, null), 2_000);
    assert.equal(ceilingFrom(2_000, 1.3), 2_000);
  });

  test('the speed probe times a fixed workload, pinned to the given cores', () => {
    const ms = probeMs();
    assert.ok(ms > 0.5 && ms < 5_000, `${ms} ms`);
    const pinned = probeOn('0');
    assert.ok(pinned.ms > 0);
    assert.ok(pinned.memoryMs > 0, 'the child prints the memory probe too');
    assert.equal(pinned.pinned, true, 'taskset runs the probe on cpuset 0');
  });

  test('the memory probe chases pointers through 16 MiB: slower than its step count in L1 would allow', () => {
    const ms = memoryProbeMs();
    // 2^18 dependent loads: even at 1 ns each (an L1 hit) that is 0.26 ms; in L3 or DRAM it is 10-100x that.
    assert.ok(ms > 0.26 && ms < 5_000, `${ms} ms`);
  });

  test('steal share from /proc/stat readings', () => {
    assert.equal(stealShare({ total: 1000, steal: 10 }, { total: 2000, steal: 60 }), 0.05);
    assert.equal(stealShare(null, { total: 1, steal: 0 }), null);
    assert.equal(stealShare({ total: 5, steal: 0 }, { total: 5, steal: 0 }), null);
    const now = cpuTimes();
    assert.ok(now && now.total > 0 && now.steal >= 0);
    const d = driftMeter('0')();
    assert.ok(d.probeMs > 0 && d.memoryProbeMs! > 0);
    assert.ok(d.stealShare === null || (d.stealShare >= 0 && d.stealShare <= 1));
  });
});
