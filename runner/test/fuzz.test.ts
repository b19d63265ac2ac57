import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fuzzTarget, probeRobustness } from '../src/index.js';
import { type Running, startReference, TOKEN } from './helpers.js';

describe('reference: hostile input', () => {
  let ref: Running;
  before(async () => {
    ref = await startReference();
  });
  after(async () => {
    await ref.stop();
  });

  test('methods outside the spec, malformed HTTP and huge parameters get the contract JSON error', async () => {
    assert.deepEqual(await probeRobustness(ref.url), []);
  });

  test('schemathesis, every check and phase: 0 failures', { timeout: 600_000 }, async () => {
    for (const s of await fuzzTarget({ baseUrl: ref.url, adminToken: TOKEN })) {
      assert.equal(s.code, 0, `${s.step} step:\n${s.report}`);
    }
  });
});
