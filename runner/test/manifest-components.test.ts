// What the manifest says ran behind a target: the database line of micro names the server LAB_MONGO_SERVER chose
// and, for FerretDB, its real backend (read from .env as runner/bin/mongo-server does), never a fixed string.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetComponents } from '../src/benchmark/manifest.js';
import { LabPaths } from '../src/lab/paths.js';
import { labEnv, repoRoot } from '../src/lib/env-file.js';

const root = repoRoot();
const micro = { name: 'micro', profile: 'micro', url: 'http://127.0.0.1:3000', available: true };

describe('manifest: target components', () => {
  const native = (env: NodeJS.ProcessEnv) =>
    targetComponents(root, micro, 'native', { paths: new LabPaths(root), env, log: () => undefined })[
      'database'
    ] ?? '';

  it('names mongo-java-server as not MongoDB, with its version', () => {
    const db = native({ ...process.env, LAB_MONGO_SERVER: 'mongo-java-server' });
    assert.match(db, /^mongo-java-server 1\.46\.0 \(memory\), not MongoDB/);
  });

  it('says why there is no server when mongo-java-server cannot hold the scale', () => {
    const db = native({ ...process.env, LAB_MONGO_SERVER: 'mongo-java-server', LAB_SCALE: '100' });
    assert.match(db, /does not fit .*LAB_MONGO_SERVER=ferretdb/);
  });

  it('names the FerretDB backend micro runs on natively, with its version', () => {
    const ctx = {
      paths: new LabPaths(root),
      env: { ...process.env, LAB_MONGO_SERVER: 'ferretdb' },
      log: () => undefined,
    };
    const c = targetComponents(root, micro, 'native', ctx);
    const backend = labEnv(root)['LAB_FERRETDB_BACKEND'] || 'postgresql';
    const expected = backend === 'postgresql' ? /on PostgreSQL \d+/ : /on SQLite/;
    assert.match(c['database'] ?? '', /^FerretDB v\d+\.\d+\.\d+ /);
    assert.match(c['database'] ?? '', expected);
    assert.match(c['database'] ?? '', /NOT MongoDB/);
  });

  it('names the image the Docker profile uses', () => {
    const ctx = { paths: new LabPaths(root), env: process.env, log: () => undefined };
    assert.equal(targetComponents(root, micro, 'docker', ctx)['database'], 'MongoDB (mongo:8.0 image)');
  });
});
