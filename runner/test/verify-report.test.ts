/**
 * The verify suite's plain-text report (renderReport): one row per group in the order the groups were first
 * checked, then the failures (every check with verbose), then the verdict line.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderReport } from '../src/verify/report.js';
import type { VerifyReport } from '../src/verify/verify.js';
import type { CheckResult } from '../src/verify/verifier.js';

const check = (group: string, name: string, request: string, detail = ''): CheckResult => ({
  group,
  name,
  request,
  pass: detail === '',
  detail,
  ms: 3,
});

function report(checks: CheckResult[], over: Partial<VerifyReport> = {}): VerifyReport {
  const failed = checks.filter((c) => !c.pass).length;
  return {
    baseUrl: 'http://127.0.0.1:3000',
    target: 'reference',
    seed: 42,
    scale: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1234,
    total: checks.length,
    failed,
    ok: failed === 0 && checks.length > 0,
    checks,
    ...over,
  };
}

const passing = [
  check('ops', 'health answers', 'GET /health'),
  check('ops', 'metrics answer', 'GET /metrics'),
  check('catalogue', 'home matches', 'GET /api/home'),
];

/** The header and the passing groups' rows that every report of `passing` starts with. */
const PASSING_TABLE = [
  'verify http://127.0.0.1:3000 (target: reference, seed 42, scale 1)',
  '',
  'group      checks  failed  result',
  '---------  ------  ------  ------',
  'ops        2       0       pass',
  'catalogue  1       0       pass',
];

test('a passing report: the header, one row per group, no check listed, PASS with the count and time', () => {
  assert.equal(renderReport(report(passing)), [...PASSING_TABLE, '', 'PASS: 3 checks in 1234 ms'].join('\n'));
});

test('a failing report: the group fails, each failure with its request and reason, FAIL with the counts', () => {
  const checks = [
    ...passing,
    check('search', 'sorted by price', 'GET /api/search?sort=price', '$[1].price: expected 3, got 5'),
    check('search', 'empty query', 'GET /api/search?q='),
    check('errors', 'unknown product is 404', 'GET /api/products/999999', 'expected status 404, got 500'),
  ];
  const text = renderReport(report(checks, { durationMs: 99 }));
  assert.equal(
    text,
    [
      ...PASSING_TABLE,
      'search     2       1       FAIL',
      'errors     1       1       FAIL',
      '',
      'FAIL  [search] sorted by price — GET /api/search?sort=price',
      '      $[1].price: expected 3, got 5',
      'FAIL  [errors] unknown product is 404 — GET /api/products/999999',
      '      expected status 404, got 500',
      '',
      'FAIL: 2 of 6 checks failed (99 ms)',
    ].join('\n'),
  );
});

test('verbose lists every check, the passing ones without a reason', () => {
  const checks = [
    ...passing,
    check('search', 'sorted by price', 'GET /api/search?sort=price', 'wrong order'),
  ];
  const lines = renderReport(report(checks), true).split('\n');
  const listed = lines.filter((l) => /^(pass|FAIL) {2}\[/.test(l));
  assert.deepEqual(listed, [
    'pass  [ops] health answers — GET /health',
    'pass  [ops] metrics answer — GET /metrics',
    'pass  [catalogue] home matches — GET /api/home',
    'FAIL  [search] sorted by price — GET /api/search?sort=price',
  ]);
  assert.equal(lines[lines.indexOf(listed[3]!) + 1], '      wrong order');
  assert.equal(lines.filter((l) => l.startsWith('      ')).length, 1, 'only the failure has a reason');
});

test('short group names keep the table at least as wide as its "group" heading', () => {
  const text = renderReport(report([check('a', 'x', 'GET /x'), check('bb', 'y', 'GET /y', 'no')]));
  const lines = text.split('\n');
  assert.equal(lines[2], 'group  checks  failed  result');
  assert.equal(lines[3], '-----  ------  ------  ------');
  assert.equal(lines[4], 'a      1       0       pass');
  assert.equal(lines[5], 'bb     1       1       FAIL');
});

test('a target that did not say what it is shows as unknown; another seed and scale are shown', () => {
  const first = renderReport(report(passing, { target: null, seed: 7, scale: 0.1 })).split('\n')[0];
  assert.equal(first, 'verify http://127.0.0.1:3000 (target: unknown, seed 7, scale 0.1)');
});

test('a report of no checks is not a pass', () => {
  const text = renderReport(report([], { durationMs: 5 }));
  assert.deepEqual(text.split('\n').slice(2), [
    'group  checks  failed  result',
    '-----  ------  ------  ------',
    '',
    'FAIL: no check ran (5 ms)',
  ]);
});
