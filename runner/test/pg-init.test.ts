// runner/bin/pg-init, the native set-up of mono's PostgreSQL (docker-compose.yml x-native.setup), run as ./lab runs
// it: as the postgres user. Then a server on a free loopback port: a role without its password gets nowhere.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LabPaths } from '../src/lab/paths.js';
import { findTool } from '../src/lab/tools.js';
import { freePort } from '../src/lib/net.js';
import { repoRoot } from '../src/lib/env-file.js';

const PG_INIT = fileURLToPath(new URL('../../bin/pg-init', import.meta.url));
const ctx = { paths: new LabPaths(repoRoot()), env: process.env, log: () => {} };
const dir = mkdtempSync(join(tmpdir(), 'lab-pg-init-'));
const data = join(dir, 'data');
after(() => {
  const pgCtl = join(findTool('postgres', ctx)!.path, '..', 'pg_ctl');
  spawnSync('runuser', ['-u', 'postgres', '--', pgCtl, '-D', data, '-m', 'immediate', 'stop'], {
    stdio: 'ignore',
  });
  rmSync(dir, { recursive: true, force: true });
});

/** psql's answer to one query as `user` with `password` (never prompting): 'ok', or its error. */
function connects(bin: string, port: number, user: string, password?: string): string {
  const r = spawnSync(
    join(bin, 'psql'),
    ['-w', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'lab', '-tAc', 'SELECT 1'],
    {
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env['PATH'], ...(password === undefined ? {} : { PGPASSWORD: password }) },
    },
  );
  return r.status === 0 && r.stdout.trim() === '1' ? 'ok' : r.stderr;
}

test('the native PostgreSQL trusts nobody: no password or a wrong one is refused, the right one connects', async () => {
  assert.equal(userInfo().uid, 0, 'run as root (./lab runs pg-init as the postgres user)');
  const postgres = findTool('postgres', ctx);
  const initdb = findTool('initdb', ctx);
  assert.ok(postgres && initdb, 'PostgreSQL not found: ./lab doctor --install (CI does)');
  chmodSync(dir, 0o755);
  const pwent = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  chownSync(dir, Number(pwent.stdout.trim()), 0);
  const asPostgres = (cmd: string, args: string[]) =>
    spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8', timeout: 120_000 });
  const init = asPostgres('sh', [PG_INIT, initdb.path, postgres.path, data, 'lab', 'secret-pw', 'lab']);
  assert.equal(init.status, 0, init.stderr);
  const port = await freePort();
  const pgCtl = join(postgres.path, '..', 'pg_ctl');
  const start = asPostgres(pgCtl, [
    '-D',
    data,
    '-w',
    '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`,
    'start',
  ]);
  assert.equal(start.status, 0, start.stderr);
  const bin = join(postgres.path, '..');
  assert.match(connects(bin, port, 'lab'), /password/, 'no password');
  assert.match(connects(bin, port, 'lab', 'wrong'), /password authentication failed/);
  assert.match(connects(bin, port, 'postgres', 'x'), /password authentication failed/);
  assert.equal(connects(bin, port, 'lab', 'secret-pw'), 'ok');
});
