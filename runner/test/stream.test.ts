// runStreamed: the one way the runner runs a child it reports on (./lab up, tool builds, the monitoring profile).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runStreamed } from '../src/lib/stream.js';

test('passes every non-empty line to the log and keeps only the last ones', async () => {
  const logged: string[] = [];
  const r = await runStreamed('sh', ['-c', 'echo one; echo; echo two >&2; echo three; exit 3'], {
    env: process.env,
    log: (l) => logged.push(l),
    keep: 2,
  });
  assert.equal(r.code, 3);
  assert.deepEqual(logged.sort(), ['one', 'three', 'two']);
  assert.equal(r.tail.length, 2);
  assert.equal(r.error, undefined);
});

test('resolves with the error, never rejects, when the command cannot start', async () => {
  const r = await runStreamed('/nonexistent/lab-command', [], { env: process.env, log: () => {}, keep: 5 });
  assert.equal(r.code, null);
  assert.match(r.error?.message ?? '', /ENOENT/);
});
