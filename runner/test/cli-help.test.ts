/**
 * Every command line answers `help` and `--help` with its usage and exit 0, and a misspelled tool in
 * `./lab doctor <tool>` is a usage error (exit 2) instead of an empty, successful answer.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// The build just ran (npm test's pretest): the entry scripts need not check it again.
const env = { ...process.env, LAB_NO_BUILD: '1' };

function run(argv: string[]) {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('help', () => {
  const clis: [string, string[], RegExp][] = [
    ['./lab', ['./lab'], /usage: \.\/lab <command>/],
    ['./run-benchmark.sh', ['./run-benchmark.sh'], /usage: \.\/run-benchmark\.sh/],
    // --ignore-scripts skips only the pre-script (the build), not verify itself.
    [
      'npm run verify',
      ['npm', 'run', '--silent', '--ignore-scripts', 'verify', '--'],
      /usage: npm run verify/,
    ],
  ];
  for (const [name, argv, usage] of clis) {
    for (const word of ['help', '--help', '-h']) {
      test(`${name} ${word}: usage on stdout, exit 0`, () => {
        const r = run([...argv, word]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, usage);
      });
    }
  }

  test('./lab setup --help answers without checking or installing anything', () => {
    const r = run(['./lab', 'setup', '--help']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /setup +install everything/);
    assert.doesNotMatch(r.err, /lab setup:/);
  });
});

describe('./lab doctor <tool>', () => {
  test('a misspelled tool is a usage error naming the known tools', () => {
    const r = run(['./lab', 'doctor', 'k7']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown tool "k7" \(tools: k6, /);
  });

  test('a known tool answers with its own row only', () => {
    const r = run(['./lab', 'doctor', 'setpriv']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^setpriv +\S+/m);
    assert.doesNotMatch(r.out, /^k6 /m);
  });
});
