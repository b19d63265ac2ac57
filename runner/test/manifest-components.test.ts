// What the manifest says ran behind a target: the database line of micro names FerretDB's real backend (read from
// .env as runner/bin/mongo-server does), never a fixed string.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetComponents } from '../src/benchmark/manifest.js';
import { LabPaths } from '../src/lab/paths.js';
import { findTool } from '../src/lab/tools.js';
import { labEnv, repoRoot } from '../src/lib/env-file.js';

const root = repoRoot();
const micro = { name: 'micro', profile: 'micro', url: 'http://127.0.0.1:3000', available: true };

describe('manifest: target components', () => {
  it('names the FerretDB backend micro runs on natively, with its version', () => {
    const ctx = { paths: new LabPaths(root), env: process.env, log: () => undefined };
    const c = targetComponents(root, micro, 'native', ctx);
    if (findTool('mongod', ctx)) {
      assert.match(c['database'] ?? '', /^MongoDB /);
      return;
    }
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
