// The whole target from scratch, as micro's own test starts micro (micro's harness: the lab's default
// MongoDB-protocol server, mongo-java-server, in a temp dir, free loopback ports), but ONE process: the contract's
// verify suite must pass, the saga must hold under concurrency, and nothing may pretend an in-process call is a
// network hop.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  type Database,
  freePort,
  post,
  raceMultiLineCarts,
  type Proc,
  REPO_ROOT,
  spawnProc,
  startDatabase,
  TOKEN,
  waitHealthy,
} from '@lab/micro/test/harness';
import { verifyTarget } from '@lab/runner';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

describe(
  "microlith: micro composed in one process, on the lab's default MongoDB-protocol server",
  { timeout: 900_000 },
  () => {
    let db: Database;
    let proc: Proc;
    let base: string;

    before(async () => {
      db = await startDatabase();
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      proc = spawnProc(
        'microlith',
        process.execPath,
        [MAIN],
        {
          PATH: process.env['PATH'],
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          LAB_SEED: '42',
          LAB_SCALE: '1',
          LAB_ADMIN_TOKEN: TOKEN,
          LAB_CPUS: '1',
          LOG_LEVEL: 'warn',
          MONGO_URL: db.url,
        },
        REPO_ROOT,
      );
      await waitHealthy(`${base}/health`, 180_000, proc);
    });

    after(async () => {
      await proc?.stop();
      await db?.stop();
    });

    it('passes the verify suite and names itself microlith', async () => {
      const report = await verifyTarget({ baseUrl: base, adminToken: TOKEN, timeoutMs: 60_000 });
      const failed = report.checks.filter((c) => !c.pass);
      assert.ok(
        report.ok,
        `${failed.length} of ${report.total} checks failed:\n` +
          failed.map((c) => `[${c.group}] ${c.name}: ${c.request}: ${c.detail}`).join('\n'),
      );
      assert.equal(report.target, 'microlith');
    });

    it('is all-or-nothing for multi-line carts under concurrency (the saga over in-process ports)', async () => {
      await raceMultiLineCarts(base, 10, 2);
      const reset = await post(base, '/api/admin/reset');
      assert.equal(reset.status, 401, 'reset needs the token');
    });

    it('lists no service hops in server-timing: in-process calls are not network hops', async () => {
      const r = await fetch(`${base}/api/products/5`);
      assert.equal(r.status, 200);
      const st = r.headers.get('server-timing') ?? '';
      assert.match(st, /(^|, )app;dur=\d+\.\d+/, st);
      for (const s of ['catalog', 'pricing', 'inventory', 'reviews'])
        assert.doesNotMatch(st, new RegExp(s), st);
    });

    it('labels its metrics target="microlith" and serves no internal service API', async () => {
      const m = await (await fetch(`${base}/metrics`)).text();
      assert.match(m, /target="microlith"/);
      assert.doesNotMatch(m, /bff_upstream_duration_seconds_bucket/);
      const internal = await fetch(`${base}/prices/5`);
      assert.equal(internal.status, 404);
    });

    it('names the database server it ran on at start-up', () => {
      assert.match(proc.output.join(''), /microlith: .*db (mongo-java-server|ferretdb|mongodb)/);
    });
  },
);
