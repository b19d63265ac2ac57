/**
 * The README's promise, checked from scratch: a `git clone` into an empty folder, with none of the lab's tools on
 * PATH or named by an env var, runs `./lab setup` (which npm-installs, builds, and builds the pinned tools into the
 * clone's own .lab/tools) and then `npm test` on a small subset (the whole suite is what CI runs around this test;
 * running it again inside would double CI's time). The clone is of the committed HEAD.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { doctorTools, which } from '../src/lab/tools.js';
import { repoRoot } from '../src/lib/env-file.js';

const root = repoRoot();
// The tools ./lab setup builds or installs itself at pinned versions (system packages stay: apt owns them).
const LAB_BUILT = ['k6', 'ferretdb', 'docker-compose', 'cadvisor', 'mongo-java-server'];
// Also NODE_TEST_CONTEXT: set by this test runner, it would make the clone's `node --test` skip every file.
const TOOL_ENV =
  /^(K6_BIN|FERRETDB_BIN|DOCKER_COMPOSE_BIN|CADVISOR_BIN|MONGO_JAVA_SERVER_BIN|LAB_NO_BUILD|NODE_TEST_CONTEXT)$/;

/** The caller's environment without the lab's tools: PATH directories holding one are dropped. */
function freshEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!TOOL_ENV.test(k) && !k.startsWith('npm_')) env[k] = v;
  env['PATH'] = (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => dir && !LAB_BUILT.some((t) => which(t, { PATH: dir })))
    .join(delimiter);
  return env;
}

function sh(cmd: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', cmd], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (b: Buffer) => {
      out = (out + b.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('a fresh clone: the README test command from an empty folder', () => {
  let dir: string;
  let clone: string;
  const env = freshEnv();

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-fresh-'));
    clone = join(dir, 'clone');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('no lab tool is reachable from the test environment', () => {
    for (const t of LAB_BUILT) assert.equal(which(t, env), null, `${t} is still on PATH`);
  });

  test(
    'git clone, ./lab setup, npm test (a subset): passes, with every tool built inside the clone',
    { timeout: 45 * 60_000 },
    async () => {
      const t0 = Date.now();
      const cloned = await sh(
        `git clone --quiet --no-hardlinks ${JSON.stringify(root)} ${JSON.stringify(clone)}`,
        dir,
        env,
      );
      assert.equal(cloned.code, 0, cloned.out);
      const setup = await sh('./lab setup', clone, env);
      assert.equal(setup.code, 0, setup.out);
      assert.match(setup.out, /setup: every tool is installed/);
      const setupSeconds = (Date.now() - t0) / 1000;
      process.stderr.write(`# fresh clone: git clone + ./lab setup ${setupSeconds.toFixed(0)} s\n`);
      const known = doctorTools().map((t) => t.name);
      for (const t of LAB_BUILT.filter((x) => known.includes(x)))
        assert.ok(existsSync(join(clone, '.lab', 'tools', t)), `${t} was built into the clone's .lab/tools`);
      const tests = await sh('npm test -- cli-help setup-preflight', clone, env);
      assert.equal(tests.code, 0, tests.out);
      assert.match(tests.out, /ℹ pass [1-9]\d*\nℹ fail 0/);
      process.stderr.write(
        `# fresh clone: npm test (subset) ${((Date.now() - t0) / 1000 - setupSeconds).toFixed(0)} s\n`,
      );
    },
  );
});
