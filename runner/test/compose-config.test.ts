import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCompose, profiles, resolveProfile } from '../src/lab/compose.js';
import { LabPaths } from '../src/lab/paths.js';
import { findTool } from '../src/lab/tools.js';
import { repoRoot } from '../src/lib/env-file.js';

const root = repoRoot();
const compose = findTool('docker-compose', {
  paths: new LabPaths(root),
  env: process.env,
  log: () => undefined,
});

function config(
  dir: string,
  profile: string | null,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const global = ['--project-directory', dir, ...(profile ? ['--profile', profile] : [])];
  return spawnSync(compose!.path, [...global, 'config', ...args], { encoding: 'utf8', cwd: dir });
}

test('the real `docker compose config` accepts every profile, and sees the services ./lab sees', () => {
  assert.ok(compose, 'docker-compose not found: run ./lab setup (part of the README test command)');
  const c = loadCompose(root, { PATH: process.env['PATH'] });
  assert.ok(profiles(c).length >= 4);
  for (const p of profiles(c)) {
    const r = config(root, p, '-q');
    assert.equal(r.status, 0, `profile ${p}: ${r.stderr}`);
    const listed = config(root, p, '--services');
    assert.deepEqual(
      listed.stdout.trim().split('\n').sort(),
      resolveProfile(c, p)
        .map((s) => s.name)
        .sort(),
      `profile ${p}: docker compose and ./lab disagree about its services`,
    );
  }
});

test('the validator is real: a broken file is refused', () => {
  assert.ok(compose);
  const dir = mkdtempSync(join(tmpdir(), 'lab-compose-bad-'));
  try {
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      'services:\n  a:\n    image: x\n    mem_limit: [not, a, size]\n',
    );
    const r = config(dir, null, '-q');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /mem_limit/);
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      'services:\n  a:\n    image: x\n    depends_on: [ghost]\n',
    );
    assert.notEqual(config(dir, null, '-q').status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
