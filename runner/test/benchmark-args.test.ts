import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseCommand } from '../src/benchmark/args.js';
import {
  durationSeconds,
  loadScenarios,
  parseSelector,
  planScenario,
  UsageError,
} from '../src/scenarios/plan.js';
import { repoRoot } from '../src/lib/env-file.js';

const root = repoRoot();
const catalogue = loadScenarios(root);

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(root, 'run-benchmark.sh'),
      args,
      { cwd: root, env: { ...process.env, LAB_NO_BUILD: '1' }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('scenario catalogue and selectors', () => {
  test('scenarios 00–10 and 13 exist, each with a profile', () => {
    assert.deepEqual(
      catalogue.map((s) => s.id),
      ['00', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '13'],
    );
    for (const s of catalogue) assert.equal(s.profile.name, s.name, `${s.name}: profile name`);
  });

  test('selectors: 03, 03+, 01-05, 01,03, all, 3', () => {
    const ids = (sel: string) => parseSelector(sel, catalogue).map((n) => n.slice(0, 2));
    assert.deepEqual(ids('03'), ['03']);
    assert.deepEqual(ids('3'), ['03']);
    assert.deepEqual(ids('06+'), ['06', '07', '08', '09', '10', '13']);
    assert.deepEqual(ids('01-05'), ['01', '02', '03', '04', '05']);
    assert.deepEqual(ids('03,01'), ['01', '03']);
    assert.deepEqual(ids('00-01,07+'), ['00', '01', '07', '08', '09', '10', '13']);
    assert.equal(ids('all').length, 12);
  });

  test('09: one arrival rate, hops direct then each added latency, through the injector; --rate keeps the steps', () => {
    const entry = catalogue.find((s) => s.id === '09')!;
    const p = planScenario(entry, { quick: false });
    assert.equal(p.injected, true);
    assert.deepEqual(
      p.steps.map((s) => [s.label, s.latencyMs]),
      [
        ['direct', null],
        ['hop-0ms', 0],
        ['hop-0.25ms', 0.25],
        ['hop-1ms', 1],
        ['hop-5ms', 5],
      ],
    );
    assert.deepEqual(
      p.steps.map((s) => s.rate),
      [20, 20, 20, 20, 20],
    );
    // Not a ladder: no step is skipped because the one before it was slow.
    assert.equal(p.ladder, false);
    const v = planScenario(entry, { quick: false, rate: 7 });
    assert.deepEqual(
      v.steps.map((s) => [s.rate, s.latencyMs]),
      [
        [7, null],
        [7, 0],
        [7, 0.25],
        [7, 1],
        [7, 5],
      ],
    );
    const other = planScenario(
      catalogue.find((s) => s.id === '03')!,
      { quick: false },
    );
    assert.equal(other.injected, false);
    assert.equal(other.steps[0]!.latencyMs, null);
  });

  test('bad selectors are usage errors naming the problem', () => {
    for (const [sel, msg] of [
      ['11', /no scenario 11/],
      ['05-03', /reversed/],
      ['x', /not a scenario number/],
      ['03,', /not a scenario number/],
      ['+', /not a scenario number/],
    ] as const) {
      assert.throws(
        () => parseSelector(sel, catalogue),
        (e: Error) => e instanceof UsageError && msg.test(e.message),
        sel,
      );
    }
  });

  test('durations', () => {
    assert.equal(durationSeconds('30s'), 30);
    assert.equal(durationSeconds('1m30s'), 90);
    assert.equal(durationSeconds('500ms'), 0.5);
    assert.equal(durationSeconds('2'), 2);
    assert.throws(() => durationSeconds('30x'), UsageError);
    assert.throws(() => durationSeconds(''), UsageError);
  });

  test('plans: profile defaults, --quick, and overrides of the sweep and the ladder', () => {
    const get = (id: string) => catalogue.find((s) => s.id === id)!;
    const pdp = planScenario(get('03'), { quick: false });
    assert.deepEqual(
      pdp.steps.map((s) => [s.label, s.vus, s.rate, s.duration]),
      [['main', 50, null, '20s']],
    );
    const sweep = planScenario(get('07'), { quick: false, duration: '5s' });
    assert.deepEqual(
      sweep.steps.map((s) => [s.label, s.vus, s.seconds]),
      [
        ['vus-20', 20, 5],
        ['vus-200', 200, 5],
        ['vus-2000', 2000, 5],
      ],
    );
    assert.deepEqual(
      planScenario(get('07'), { quick: false, vus: 64 }).steps.map((s) => s.label),
      ['vus-64'],
    );
    const ladder = planScenario(get('08'), { quick: false });
    assert.equal(ladder.ladder, true);
    assert.ok(
      ladder.steps.every((s, i) => i === 0 || s.rate! > ladder.steps[i - 1]!.rate!),
      'rates rise',
    );
    const one = planScenario(get('08'), { quick: false, rate: 700 });
    assert.deepEqual(
      one.steps.map((s) => [s.label, s.rate]),
      [['rate-700', 700]],
    );
    assert.equal(one.ladder, false);
    const quick = planScenario(get('03'), { quick: true });
    assert.ok(quick.steps[0]!.seconds <= 5 && quick.steps[0]!.vus <= 10);
  });
});

describe('command line', () => {
  test('parses a run with every option', () => {
    const c = parseCommand([
      'micro',
      '03',
      '--runs',
      '5',
      '--duration',
      '30s',
      '--vus',
      '20',
      '--rate',
      '100',
      '--warmup',
      '0s',
      '--cooldown',
      '1s',
      '--scale',
      '2',
      '--mode',
      'native',
      '--order',
      'scenario',
      '--idle',
      'running',
      '--quick',
    ]);
    assert.equal(c.kind, 'run');
    if (c.kind !== 'run') return;
    assert.deepEqual(
      [
        c.target,
        c.selector,
        c.runs,
        c.duration,
        c.vus,
        c.rate,
        c.warmup,
        c.cooldown,
        c.scale,
        c.mode,
        c.order,
        c.idle,
        c.quick,
      ],
      ['micro', '03', 5, '30s', 20, 100, '0s', '1s', 2, 'native', 'scenario', 'running', true],
    );
    const r = parseCommand(['--resume', '20261123-101010-all-03']);
    assert.equal(r.kind === 'run' && r.resume, '20261123-101010-all-03');
    assert.deepEqual(parseCommand(['report', 'a', 'b']), {
      kind: 'report',
      runIds: ['a', 'b'],
      out: null,
      fromSummaries: false,
      resultsDir: null,
    });
    assert.deepEqual(parseCommand(['report', 'a', '--publish', '--from-summaries']), {
      kind: 'report',
      runIds: ['a'],
      out: 'publish',
      fromSummaries: true,
      resultsDir: null,
    });
    const n = parseCommand(['note', 'x1', '--kind', 'topic']);
    assert.equal(n.kind === 'note' && n.noteKind, 'topic');
    const several = parseCommand(['note', 'c-harper', 'c-mono']);
    assert.deepEqual(several.kind === 'note' && several.runIds, ['c-harper', 'c-mono']);
  });

  test('usage errors', () => {
    for (const argv of [
      [],
      ['reference'],
      ['reference', '03', 'extra'],
      ['reference', '03', '--runs', '0'],
      ['reference', '03', '--runs', 'two'],
      ['reference', '03', '--duration', '0s'],
      ['reference', '03', '--duration', 'soon'],
      ['reference', '03', '--duration', '10'],
      ['reference', '03', '--duration', '500ms'],
      ['reference', '03', '--duration', '0.5s'],
      ['reference', '03', '--warmup', '10'],
      ['reference', '03', '--mode', 'podman'],
      ['reference', '03', '--order', 'random'],
      ['reference,harper', '03', '--idle', 'frozen'],
      ['reference,harper', '03', '--order', 'scenario', '--idle', 'asleep'],
      ['reference', '03', '--scale', '5000'],
      ['reference', '03', '--nope'],
      ['reference', '03', '--kind', 'qna'],
      ['note'],
      ['note', 'x', '--kind', 'diary'],
      ['note', 'x', '../y'],
      ['list', 'x'],
      ['report', '--runs', '3'],
    ]) {
      assert.throws(() => parseCommand(argv), UsageError, argv.join(' '));
    }
  });

  test('./run-benchmark.sh: bad target, selector or option exits 2 with one line; --help exits 0', async () => {
    for (const [args, msg] of [
      [['nosuch', '03'], /unknown target "nosuch"/],
      [['reference', '42'], /no scenario 42/],
      [['reference', '03', '--runs', '-1'], /--runs/],
      [['reference', '03', '--bogus'], /--bogus/],
      [['reference', '03', '--duration', '10'], /--duration needs a unit/],
      [['reference', '03', '--duration', '200ms'], /--duration must be at least 1s/],
      [['reference'], /missing selector/],
      [['reference', '03', '--order', 'scenario'], /--order scenario needs two or more targets/],
      [['reference,harper', '09', '--order', 'scenario'], /--order scenario cannot run 09-network-latency/],
      [['report', 'a', '--publish', '--out', 'x.md'], /--publish or --out, not both/],
      [['reference', '03', '--publish'], /--publish belongs to report/],
      [['--resume', 'no-such-run', '--results-dir', '/tmp/lab-no-such-results'], /no run "no-such-run"/],
    ] as const) {
      const r = await cli(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.match(r.stderr, msg);
    }
    const h = await cli('--help');
    assert.equal(h.code, 0);
    assert.match(h.stdout, /usage: \.\/run-benchmark\.sh <target\|all> <selector>/);
    const l = await cli('list');
    assert.equal(l.code, 0);
    assert.match(l.stdout, /08-capacity\s+open/);
  });
});
