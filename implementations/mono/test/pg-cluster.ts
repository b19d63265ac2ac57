// A throwaway PostgreSQL cluster for tests: initdb in a temp dir, a free loopback port, the socket in the temp
// dir, a `lab` role owning a `lab` database. Needs the PostgreSQL server binaries (Debian: apt-get install
// postgresql; found under /usr/lib/postgresql/<v>/bin, or PG_BIN). Databases refuse to run as root: as root, the
// commands run as the `postgres` OS user (runuser), which owns the temp dir.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@lab/runner';
import pg from 'pg';

export { freePort };

export interface PgCluster {
  dir: string;
  port: number;
  /** postgresql://lab:lab@127.0.0.1:<port>/lab */
  url: string;
  stop(): void;
}

export function findPgBin(): string | null {
  const fromEnv = process.env['PG_BIN'];
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0]!, 'bin') : null;
}

function asOwner(argv: string[]): [string, string[]] {
  const root = process.getuid?.() === 0;
  return root ? ['runuser', ['-u', 'postgres', '--', ...argv]] : [argv[0]!, argv.slice(1)];
}

function run(argv: string[]): void {
  const [cmd, args] = asOwner(argv);
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
}

/** Flags of the compose `postgres` service that matter here, plus test-only durability shortcuts. */
const SERVER_FLAGS = [
  'shared_buffers=128MB',
  'work_mem=8MB',
  'max_connections=50',
  'random_page_cost=1.1',
  // Test speed only (never in docker-compose.yml): nothing here must survive a machine crash.
  'fsync=off',
  'full_page_writes=off',
];

export async function startCluster(): Promise<PgCluster> {
  const bin = findPgBin();
  if (!bin)
    throw new Error('PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BIN)');
  const dir = mkdtempSync(join(tmpdir(), 'mono-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  const ctl = join(bin, 'pg_ctl');
  let started = false;
  const stop = () => {
    if (started) {
      const [cmd, args] = asOwner([ctl, '-D', data, '-m', 'fast', '-w', 'stop']);
      spawnSync(cmd, args, { encoding: 'utf8' });
      started = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run([join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    const opts = [
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      `-k ${dir}`,
      ...SERVER_FLAGS.map((f) => `-c ${f}`),
    ].join(' ');
    run([ctl, '-D', data, '-l', join(dir, 'postgres.log'), '-o', opts, '-w', '-t', '60', 'start']);
    started = true;
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      await admin.query("CREATE ROLE lab LOGIN PASSWORD 'lab'");
      await admin.query('CREATE DATABASE lab OWNER lab');
    } finally {
      await admin.end();
    }
  } catch (e) {
    stop();
    throw e;
  }
  return { dir, port, url: `postgresql://lab:lab@127.0.0.1:${port}/lab`, stop };
}
