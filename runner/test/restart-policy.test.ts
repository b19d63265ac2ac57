import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRestart, restartDelayMs, shouldRestart } from '../src/lab/restart-policy.js';

const KILLED = { code: null, signal: 'SIGKILL' as const };
const CLEAN = { code: 0, signal: null };

test('compose restart values parse; anything else is a clear error', () => {
  assert.deepEqual(parseRestart(undefined, 'x'), { name: 'no' });
  assert.deepEqual(parseRestart('no', 'x'), { name: 'no' });
  assert.deepEqual(parseRestart('always', 'x'), { name: 'always' });
  assert.deepEqual(parseRestart('unless-stopped', 'x'), { name: 'unless-stopped' });
  assert.deepEqual(parseRestart('on-failure', 'x'), { name: 'on-failure', maxRetries: null });
  assert.deepEqual(parseRestart('on-failure:3', 'x'), { name: 'on-failure', maxRetries: 3 });
  assert.throws(
    () => parseRestart('sometimes', 'services.a.restart'),
    /services\.a\.restart: restart must be/,
  );
  assert.throws(() => parseRestart('on-failure:x', 'r'), /on-failure\[:max-retries\]/);
});

test('policies decide as Docker does', () => {
  assert.equal(shouldRestart({ name: 'no' }, KILLED, 0), false);
  assert.equal(shouldRestart({ name: 'always' }, CLEAN, 5), true);
  assert.equal(shouldRestart({ name: 'on-failure', maxRetries: null }, KILLED, 9), true);
  assert.equal(shouldRestart({ name: 'on-failure', maxRetries: null }, CLEAN, 0), false);
  assert.equal(shouldRestart({ name: 'on-failure', maxRetries: null }, { code: 1, signal: null }, 0), true);
  assert.equal(shouldRestart({ name: 'on-failure', maxRetries: 2 }, KILLED, 2), false);
  assert.equal(shouldRestart({ name: 'on-failure', maxRetries: null }, 'unknown', 0), true);
});

test('back-off: 100 ms doubling, capped at a minute', () => {
  assert.deepEqual([0, 1, 2, 3].map(restartDelayMs), [100, 200, 400, 800]);
  assert.equal(restartDelayMs(20), 60_000);
});
