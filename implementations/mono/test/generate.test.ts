// `prisma generate` works offline with the schema-engine stub, and the client the build compiled is exactly the
// one the committed schema generates (no drift between prisma/schema.prisma and src/generated).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readMigrations } from '../src/db/migrate.js';

const PKG = fileURLToPath(new URL('../../', import.meta.url));
const PRISMA_CLI = join(
  dirname(createRequire(import.meta.url).resolve('prisma/package.json')),
  'build/index.js',
);
const STUB = join(PKG, 'prisma/no-schema-engine.sh');

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const work = mkdtempSync(join(tmpdir(), 'mono-generate-'));
after(() => rmSync(work, { recursive: true, force: true }));

function prisma(args: string[], cwd: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [PRISMA_CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: STUB,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
      ...env,
    },
    timeout: 120_000,
  });
}

test('prisma generate runs offline with the stub and reproduces src/generated exactly', () => {
  mkdirSync(join(work, 'prisma'));
  cpSync(join(PKG, 'prisma/schema.prisma'), join(work, 'prisma/schema.prisma'));
  const r = prisma(['generate'], work);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const fresh = join(work, 'src/generated/prisma');
  const built = join(PKG, 'src/generated/prisma');
  assert.deepEqual(files(fresh), files(built));
  for (const f of files(fresh)) {
    assert.equal(readFileSync(join(fresh, f), 'utf8'), readFileSync(join(built, f), 'utf8'), `${f} drifted`);
  }
});

test('the stub makes engine-bound commands fail loudly instead of silently doing nothing', () => {
  const r = prisma(['migrate', 'deploy'], PKG, { DATABASE_URL: 'postgresql://lab:lab@127.0.0.1:1/lab' });
  assert.notEqual(r.status, 0, 'prisma migrate deploy must not pretend to succeed without the engine');
});

test('migrations are in the layout prisma migrate deploy reads', () => {
  const lock = readFileSync(join(PKG, 'prisma/migrations/migration_lock.toml'), 'utf8');
  assert.match(lock, /^provider = "postgresql"$/m);
  const migrations = readMigrations();
  assert.ok(migrations.length >= 1);
  for (const m of migrations) {
    assert.match(m.name, /^\d{14}_[a-z0-9_]+$/);
    assert.match(m.checksum, /^[0-9a-f]{64}$/);
    // Prisma's driver-adapter path (schema-engine-wasm through @prisma/adapter-pg) splits scripts on every ';',
    // comments included: keep comments free of them so that both engines can apply the same file.
    for (const line of m.sql.split('\n').filter((l) => l.trimStart().startsWith('--'))) {
      assert.doesNotMatch(line, /;/, `${m.name}: a ';' in a comment: ${line}`);
    }
  }
});
