/**
 * `./lab setup` stops in the first seconds, before any npm or apt step, when something it cannot install itself
 * is missing: one sentence naming it and the command that fixes it, and an exit code of its own.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let bin: string;
let tmp: string;
/** A copy of the two scripts the preflight runs in, readable by any user (the not-root case runs as nobody). */
let repo: string;

/** PATH with the system's directories and node, npm, but no Go (and whatever `extra` adds first). */
function path(extra?: string): string {
  return [extra, bin, '/usr/sbin', '/usr/bin', '/sbin', '/bin'].filter(Boolean).join(':');
}

function setup(env: Record<string, string>, prefix: string[] = []) {
  const t0 = Date.now();
  const argv = [...prefix, join(repo, 'lab'), 'setup'];
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd: repo,
    env: { HOME: tmp, LAB_NO_BUILD: '1', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, err: r.stderr, seconds: (Date.now() - t0) / 1000 };
}

function fakeGo(version: string): string {
  const dir = join(tmp, `go-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go'), `#!/bin/sh\n[ "$1 $2" = "env GOVERSION" ] && echo go${version}\n`);
  chmodSync(join(dir, 'go'), 0o755);
  return dir;
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'lab-preflight-'));
  chmodSync(tmp, 0o755);
  repo = join(tmp, 'repo');
  for (const f of ['lab', 'runner/bin/setup-preflight', 'runner/bin/ensure-built'])
    cpSync(join(root, f), join(repo, f));
  bin = join(tmp, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  symlinkSync(npm, join(bin, 'npm'));
  assert.ok(dirname(npm));
});

after(() => rmSync(tmp, { recursive: true, force: true }));

describe('./lab setup preflight', () => {
  test('no Go: exit 14, says how to install the Go the tools need', () => {
    const r = setup({ PATH: path() });
    assert.equal(r.code, 14, r.err);
    assert.match(
      r.err,
      /^lab setup: Go is missing .*: install Go 1\.\d+\.\d+: curl -fsSL https:\/\/go\.dev\/dl\//,
    );
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.ok(r.seconds < 5, `took ${r.seconds} s`);
  });

  test("Debian's Go 1.19: exit 14, too old", () => {
    const r = setup({ PATH: path(fakeGo('1.19.8')) });
    assert.equal(r.code, 14, r.err);
    assert.match(r.err, /Go 1\.19\.8 at .* is too old .*golang-go is 1\.19\): install Go/);
  });

  test('Go 1.24 with GOTOOLCHAIN=local: set-up goes on, having Go fetch the toolchain the tools need', () => {
    const r = setup({ PATH: path(fakeGo('1.24.3')), GOTOOLCHAIN: 'local' });
    assert.match(r.err, /Go 1\.24\.3 is older than the 1\.26\.8 .*: building with GOTOOLCHAIN=go1\.26\.8/);
    // The copy holds no package.json: the next step (npm ci) is where it stops.
    assert.match(r.err, /lab setup: npm ci failed/);
    assert.equal(r.code, 1);
  });

  test('not root: exit 11, says to run it as root', () => {
    const r = setup({ PATH: path(fakeGo('1.19.8')) }, [
      'setpriv',
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      '--',
    ]);
    assert.equal(r.code, 11, r.err);
    assert.match(r.err, /^lab setup: .*needs root: sudo \.\/lab setup && sudo npm test\n$/);
  });

  test('not Linux: exit 10, points to Docker', () => {
    const fake = join(tmp, 'darwin');
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, 'uname'), '#!/bin/sh\necho Darwin\n');
    chmodSync(join(fake, 'uname'), 0o755);
    const r = setup({ PATH: path(fake) });
    assert.equal(r.code, 10, r.err);
    assert.match(r.err, /^lab setup: the lab needs Linux .* on Darwin use Docker: docker compose/);
  });

  test('Node.js 18: exit 13, says which Node and how to install it', () => {
    const fake = join(tmp, 'node18');
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, 'node'), '#!/bin/sh\necho v18.19.1\n');
    chmodSync(join(fake, 'node'), 0o755);
    const r = setup({ PATH: path(fake) });
    assert.equal(r.code, 13, r.err);
    assert.match(r.err, /^lab setup: Node\.js 18\.19\.1 must be 20\.19\+ \(or 22\+\): .*nodesource/);
  });

  test('no apt-get: exit 12, names what to install instead', () => {
    // Only node, npm and the basic commands the script uses; no /usr/bin (where apt-get lives).
    for (const cmd of ['uname', 'id', 'sed', 'sort', 'head', 'printf'])
      symlinkSync(
        spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || `/usr/bin/${cmd}`,
        join(bin, cmd),
      );
    const r = setup({ PATH: bin }, ['/bin/bash']);
    assert.equal(r.code, 12, r.err);
    assert.match(r.err, /with apt-get .*not found here: install them with your package manager/);
  });
});
