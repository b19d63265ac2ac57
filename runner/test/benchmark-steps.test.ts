/** The loop's small steps on their own: capacity over a ladder, interruptible waits, the target's reset. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { capacityOf, stepOrder } from '../src/benchmark/cell.js';
import { Interrupted, interruptible, TargetFailure } from '../src/benchmark/errors.js';
import { reset } from '../src/benchmark/target-http.js';
import type { StepResult } from '../src/results/types.js';
import { repoRoot } from '../src/lib/env-file.js';
import {
  loadScenarios,
  type PlannedScenario,
  phaseOffset,
  planScenario,
  warmupSeconds,
} from '../src/scenarios/plan.js';

const step = (label: string, rate: number, pass: boolean) =>
  ({ step: label, rate, slo: { pass, p99Ms: 1, reasons: [] } }) as unknown as StepResult;
const open = { entry: { profile: { model: 'open', slo: { p99Ms: 50 } } } } as unknown as PlannedScenario;
const closed = { entry: { profile: { model: 'closed' } } } as unknown as PlannedScenario;

test('capacity: the highest rate held with every lower step held too; null without an SLO', () => {
  assert.deepEqual(
    capacityOf(open, [step('r100', 100, true), step('r200', 200, true), step('r400', 400, false)]),
    {
      rate: 200,
      step: 'r200',
      sloP99Ms: 50,
    },
  );
  // A pass after a miss does not count: the ladder's capacity is where it first gave out.
  assert.equal(capacityOf(open, [step('r100', 100, false), step('r200', 200, true)])?.rate, null);
  assert.equal(capacityOf(closed, [step('r100', 100, true)]), null);
});

test('09 alternates: the first step of each start stays first, the others run reversed on even runs; 07 reverses all', () => {
  const catalogue = loadScenarios(repoRoot());
  const labels = (name: string, run: number) =>
    stepOrder(
      planScenario(
        catalogue.find((c) => c.name === name)!,
        { quick: false },
      ),
      run,
    ).map((x) => x.label);
  const listed = ['direct', 'hop-0ms', 'hop-0.25ms', 'hop-1ms', 'hop-5ms'];
  assert.deepEqual(labels('09-network-latency', 1), listed);
  assert.deepEqual(labels('09-network-latency', 2), [
    'direct',
    'hop-0ms',
    'hop-5ms',
    'hop-1ms',
    'hop-0.25ms',
  ]);
  assert.deepEqual(labels('09-network-latency', 3), listed);
  // 07 ("all"): the whole sweep reversed on even runs, so its 20-VU step is not always the first after a start.
  assert.deepEqual(labels('07-concurrency-sweep', 1), ['vus-20', 'vus-200', 'vus-2000']);
  assert.deepEqual(labels('07-concurrency-sweep', 2), ['vus-2000', 'vus-200', 'vus-20']);
  // Without the profile's flag every run keeps the listed order (08's ladder).
  assert.deepEqual(labels('08-capacity', 2), labels('08-capacity', 1));
});

/** A catalogue scenario planned with no overrides. */
function plan(name: string): PlannedScenario {
  return planScenario(
    loadScenarios(repoRoot()).find((c) => c.name === name)!,
    { quick: false },
  );
}

test('a profile’s warmup lengthens the run’s warm-up, never shortens it; --warmup 0s and --quick win', () => {
  assert.equal(warmupSeconds(10, false, plan('08-capacity')), 60);
  assert.equal(warmupSeconds(90, false, plan('08-capacity')), 90);
  assert.equal(warmupSeconds(0, false, plan('08-capacity')), 0);
  assert.equal(warmupSeconds(2, true, plan('08-capacity')), 2);
  assert.equal(warmupSeconds(10, false, plan('03-pdp')), 10);
});

test('08’s warm-up gets a seeded 0–60 s phase offset per target and run; other scenarios, --quick and 0s none', () => {
  const at = (target: string, run: number, seed = 42) =>
    warmupSeconds(10, false, plan('08-capacity'), { seed, target, run });
  const rounds = Array.from({ length: 10 }, (_, i) => at('harper', i + 1));
  for (const w of rounds) assert.ok(Number.isInteger(w) && w >= 60 && w <= 120, `${w}`);
  // The same command gives the same offsets; rounds, targets and seeds differ.
  assert.deepEqual(
    rounds,
    Array.from({ length: 10 }, (_, i) => at('harper', i + 1)),
  );
  assert.ok(new Set(rounds).size >= 5, rounds.join(' '));
  const mono = Array.from({ length: 10 }, (_, i) => at('mono', i + 1));
  const seed7 = Array.from({ length: 10 }, (_, i) => at('harper', i + 1, 7));
  assert.notDeepEqual(mono, rounds);
  assert.notDeepEqual(seed7, rounds);
  assert.equal(phaseOffset({ seed: 42, target: 'harper', run: 3 }, 0), 0);
  const phase = { seed: 42, target: 'harper', run: 1 };
  assert.equal(warmupSeconds(10, false, plan('03-pdp'), phase), 10);
  assert.equal(warmupSeconds(2, true, plan('08-capacity'), phase), 2);
  assert.equal(warmupSeconds(0, false, plan('08-capacity'), phase), 0);
});

test('interruptible: resolves like the work, rejects with Interrupted once aborted', async () => {
  const ac = new AbortController();
  assert.equal(await interruptible(Promise.resolve(7), ac.signal), 7);
  const never = new Promise<number>(() => undefined);
  const p = interruptible(never, ac.signal);
  ac.abort('interrupted by SIGINT');
  await assert.rejects(p, (e: unknown) => e instanceof Interrupted && /SIGINT/.test((e as Error).message));
  await assert.rejects(interruptible(Promise.resolve(1), ac.signal), Interrupted);
});

let server: Server;
let url: string;
const answers: number[] = [];
before(async () => {
  server = createServer((req, res) => {
    res.writeHead(answers.shift() ?? 204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('reset: 204 is done; a 5xx is retried (a target draining its backlog); a 4xx is final', async () => {
  answers.push(503, 204);
  await reset(url, 'token');
  assert.equal(answers.length, 0);
  answers.push(401);
  await assert.rejects(
    reset(url, 'token'),
    (e: unknown) => e instanceof TargetFailure && /401/.test(String(e)),
  );
  await assert.rejects(reset('http://127.0.0.1:1', 'token'), TargetFailure);
});
