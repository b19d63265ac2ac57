/** What the resilience commands share: a run is finished the same way whether its loop succeeds, half-fails or throws. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Interrupted } from '../src/benchmark/errors.js';
import type { Lab } from '../src/lab/launcher.js';
import {
  findTarget,
  finishing,
  parseTargetCommand,
  positiveInt,
  startRun,
  UsageError,
} from '../src/resilience/command.js';
import { repoRoot } from '../src/lib/env-file.js';
import type { LabTarget } from '../src/lab/compose.js';
import { RESILIENCE_MANIFEST, type ResilienceManifest } from '../src/resilience/manifest.js';
import { resilienceManifest } from './helpers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const runDir = mkdtempSync(join(tmpdir(), 'lab-resilience-'));
  dirs.push(runDir);
  const downs: string[] = [];
  const lab = {
    async down(profile: string) {
      downs.push(profile);
      return [];
    },
    compose: { targets: [{ name: 'mono', profile: 'mono', url: 'http://127.0.0.1:4000', available: true }] },
  } as unknown as Lab;
  const manifest = resilienceManifest({
    runId: 'r',
    status: 'running',
    command: './run-benchmark.sh cold-start mono',
    finishedAt: null,
    budget: null,
  });
  const lines: string[] = [];
  const f = { lab, profile: 'mono', runDir, manifest, log: (l: string) => lines.push(l) };
  const saved = () =>
    JSON.parse(readFileSync(join(runDir, RESILIENCE_MANIFEST), 'utf8')) as ResilienceManifest;
  return { f, downs, lines, saved, runDir };
}

test('a loop that succeeds: complete, saved with its end, summary written, the target brought down', async () => {
  const { f, downs, lines, saved, runDir } = setup();
  await finishing(f, async () => {});
  assert.equal(saved().status, 'complete');
  assert.ok(saved().finishedAt);
  assert.ok(existsSync(join(runDir, 'summary.md')));
  assert.deepEqual(downs, ['mono']);
  assert.deepEqual(lines, [`results: ${runDir}`]);
});

test('failed repetitions: incomplete, with the reason the command gives them', async () => {
  const { f, saved } = setup();
  await finishing({ ...f, failedReason: (n) => `${n} fault run(s) failed` }, async () => {
    f.manifest.failures.push('inventory kill run 1: no answer');
  });
  assert.equal(saved().status, 'incomplete');
  assert.equal(saved().reason, '1 fault run(s) failed');
});

test('a loop that throws: incomplete with its message, still saved and brought down, and the error goes on', async () => {
  const { f, downs, saved } = setup();
  await assert.rejects(
    finishing(f, async () => {
      throw new Error('the target did not start');
    }),
    /did not start/,
  );
  assert.equal(saved().status, 'incomplete');
  assert.equal(saved().reason, 'the target did not start');
  assert.deepEqual(downs, ['mono']);
});

test('a loop interrupted by SIGINT: incomplete, saying so, saved and brought down; the signal handlers removed', async () => {
  const { f, downs, saved } = setup();
  const listeners = process.listenerCount('SIGINT');
  const finished = finishing(f, () => {
    setImmediate(() => process.emit('SIGINT', 'SIGINT'));
    return new Promise<void>(() => undefined);
  });
  await assert.rejects(
    finished,
    (e: Error) => e instanceof Interrupted && e.message === 'interrupted by SIGINT',
  );
  assert.equal(saved().status, 'incomplete');
  assert.equal(saved().reason, 'interrupted by SIGINT');
  assert.deepEqual(downs, ['mono']);
  assert.equal(process.listenerCount('SIGINT'), listeners);
});

test('an unknown target is a usage error that lists the targets', () => {
  const { f } = setup();
  assert.equal(findTarget(f.lab, 'mono').url, 'http://127.0.0.1:4000');
  assert.throws(
    () => findTarget(f.lab, 'nope'),
    (e: unknown) =>
      e instanceof UsageError && /unknown target nope \(targets: mono\)/.test((e as Error).message),
  );
});

test('counts are whole numbers of at least 1, as typed; anything else is a usage error naming the option', () => {
  assert.equal(positiveInt('runs', '3'), 3);
  assert.equal(positiveInt('reps', '10'), 10);
  for (const raw of ['0', '-1', '3.5', '1e3', 'three', '', ' 3'])
    assert.throws(
      () => positiveInt('runs', raw),
      (e: unknown) =>
        e instanceof UsageError && (e as Error).message === `--runs must be a positive integer, got "${raw}"`,
    );
});

test('a new run: its directory, named as given or <utc time>-<command>-<target>, and a running manifest', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'lab-results-'));
  dirs.push(resultsDir);
  const lab = { paths: {}, compose: { targets: [] } } as unknown as Lab;
  const target = { name: 'harper', profile: 'harper' } as LabTarget;
  const base = {
    root: repoRoot(),
    lab,
    command: 'cold-start',
    scenario: '11-cold-start',
    target,
    resultsDir,
  };
  const named = startRun({ ...base, runId: 'r1', options: { reps: 3 } });
  assert.equal(named.runDir, join(resultsDir, 'r1'));
  assert.ok(existsSync(named.runDir));
  assert.equal(named.manifest.runId, 'r1');
  assert.equal(named.manifest.status, 'running');
  assert.equal(named.manifest.target, 'harper');
  assert.deepEqual(named.manifest.options, { reps: 3 });
  assert.match(named.manifest.command, /^\.\/run-benchmark\.sh cold-start /);
  const stamped = startRun({ ...base, runId: null, options: {} });
  assert.match(stamped.manifest.runId, /^\d{8}-\d{6}-cold-start-harper$/);
  assert.ok(existsSync(stamped.runDir));
});

test('a command line: one target, its options with their defaults, the common ones; the rest is a usage error', () => {
  const USAGE = 'usage: ./run-benchmark.sh thing <target> [--reps N]';
  const own = { reps: { type: 'string', default: '10' } } as const;
  const a = parseTargetCommand(['mono', '--run-id', 'x', '--results-dir', '/tmp/r'], USAGE, own);
  assert.deepEqual(
    { target: a.target, reps: a.values.reps, runId: a.runId, resultsDir: a.resultsDir },
    { target: 'mono', reps: '10', runId: 'x', resultsDir: '/tmp/r' },
  );
  assert.equal(parseTargetCommand(['mono', '--reps', '3'], USAGE, own).runId, null);
  for (const argv of [[], ['mono', 'harper'], ['mono', '--help'], ['-h']])
    assert.throws(
      () => parseTargetCommand(argv, USAGE, own),
      (e: Error) => e instanceof UsageError && e.message === USAGE,
    );
  assert.throws(
    () => parseTargetCommand(['mono', '--rep', '3'], USAGE, own),
    (e: Error) =>
      e instanceof UsageError && /Unknown option '--rep'/.test(e.message) && e.message.endsWith(USAGE),
  );
  assert.throws(
    () => parseTargetCommand(['mono', '--reps'], USAGE, own),
    (e: Error) => e instanceof UsageError && /--reps/.test(e.message),
  );
});
