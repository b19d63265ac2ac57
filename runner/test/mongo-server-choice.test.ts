// Which MongoDB-protocol server micro runs on natively: LAB_MONGO_SERVER (auto, mongod, mongo-java-server, ferretdb),
// and the refusal of mongo-java-server at a scale whose data does not fit in its memory share.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabPaths } from '../src/lab/paths.js';
import { ensureTool, mongoServerKind } from '../src/lab/tools.js';
import { repoRoot } from '../src/lib/env-file.js';

const paths = new LabPaths(repoRoot());
// A PATH without a mongod on it (this machine has none; a user's might).
const ctx = (env: Record<string, string>) => ({
  paths,
  env: { PATH: '/usr/bin:/bin', ...env },
  log: () => undefined,
});

describe('LAB_MONGO_SERVER', () => {
  it('auto picks mongo-java-server when there is no mongod on PATH', () => {
    assert.equal(mongoServerKind(ctx({ LAB_MONGO_SERVER: 'auto' })), 'mongo-java-server');
  });

  it('takes an explicit server', () => {
    assert.equal(mongoServerKind(ctx({ LAB_MONGO_SERVER: 'ferretdb' })), 'ferretdb');
    assert.equal(mongoServerKind(ctx({ LAB_MONGO_SERVER: 'mongod' })), 'mongod');
  });

  it('refuses an unknown server, naming the choices', () => {
    assert.throws(
      () => mongoServerKind(ctx({ LAB_MONGO_SERVER: 'mongo' })),
      /auto, mongod, mongo-java-server, ferretdb/,
    );
  });

  it('refuses mongo-java-server at scale 100, naming the alternatives; FerretDB is fine there', () => {
    for (const server of ['auto', 'mongo-java-server']) {
      assert.throws(
        () => mongoServerKind(ctx({ LAB_MONGO_SERVER: server, LAB_SCALE: '100' })),
        /LAB_SCALE=100 .*LAB_MONGO_SERVER=ferretdb.*mongod.*mongo:8\.0/,
      );
    }
    assert.equal(mongoServerKind(ctx({ LAB_MONGO_SERVER: 'ferretdb', LAB_SCALE: '100' })), 'ferretdb');
    assert.equal(
      mongoServerKind(ctx({ LAB_MONGO_SERVER: 'mongo-java-server', LAB_SCALE: '10' })),
      'mongo-java-server',
    );
  });

  it('fails clearly when mongod is asked for and there is none', async () => {
    await assert.rejects(ensureTool('mongo-server', ctx({ LAB_MONGO_SERVER: 'mongod' })), /mongod not found/);
  });

  it('resolves the mongo-server tool to the installed mongo-java-server by default', async () => {
    const tool = await ensureTool('mongo-server', ctx({ LAB_MONGO_SERVER: 'auto' }));
    assert.equal(tool.name, 'mongo-java-server');
    assert.equal(tool.version, '1.46.0');
  });
});
