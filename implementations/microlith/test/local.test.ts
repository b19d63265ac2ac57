// LocalService: how an in-process call behaves where an HTTP call would have failed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContractError } from '@lab/contract';
import type { ServiceParts } from '@lab/micro';
import { LocalService } from '../src/local.js';

function service(
  handler: () => Promise<{ status: number; body?: unknown }>,
  logged: unknown[],
): LocalService {
  const parts: ServiceParts = {
    routes: [{ method: 'GET', url: '/prices/:id', handler }],
    reset: async () => {},
    banner: '',
  };
  return new LocalService('pricing', parts, (e) => logged.push(e), 5000);
}

describe('LocalService', () => {
  it('passes the handler its input and the remaining budget, and returns its answer unserialised', async () => {
    let seen: unknown;
    const body = { amount: 5 };
    const s = new LocalService(
      'pricing',
      {
        routes: [
          {
            method: 'GET',
            url: '/prices/:id',
            handler: async (input) => {
              seen = input;
              return { status: 200, body };
            },
          },
        ],
        reset: async () => {},
        banner: '',
      },
      () => undefined,
      5000,
    );
    const r = await s.call('GET /prices/:id', { params: { id: '7' } }, performance.now() + 1000);
    assert.equal(r.body, body, 'the same object, not a copy');
    const input = seen as { params: { id: string }; query: string; budgetMs: number };
    assert.equal(input.params.id, '7');
    assert.equal(input.query, '');
    assert.ok(input.budgetMs > 900 && input.budgetMs <= 1000, String(input.budgetMs));
  });

  it('turns an unexpected failure into 503 service_unavailable naming the service, and logs it', async () => {
    const logged: unknown[] = [];
    const s = service(async () => {
      throw new Error('connection reset');
    }, logged);
    await assert.rejects(s.call('GET /prices/:id'), (e: unknown) => {
      assert.ok(e instanceof ContractError);
      assert.equal(e.status, 503);
      assert.match(JSON.stringify(e.body), /pricing/);
      return true;
    });
    assert.equal(logged.length, 1);
  });

  it('answers 504 upstream_timeout naming the service at the deadline, and starts nothing past it', async () => {
    let started = 0;
    const s = service(async () => {
      started++;
      await new Promise((r) => setTimeout(r, 200));
      return { status: 200 };
    }, []);
    const timedOut = (e: unknown) => {
      assert.ok(e instanceof ContractError);
      assert.equal(e.status, 504);
      assert.match(JSON.stringify(e.body), /upstream_timeout.*pricing.*5000 ms/);
      return true;
    };
    await assert.rejects(s.call('GET /prices/:id', {}, performance.now() + 20), timedOut);
    assert.equal(started, 1);
    await assert.rejects(s.call('GET /prices/:id', {}, performance.now() - 1), timedOut);
    assert.equal(started, 1, 'a call whose deadline has passed is not started');
    assert.equal((await s.call('GET /prices/:id', {}, performance.now() + 1000)).status, 200);
  });

  it('refuses a route the service does not declare', async () => {
    const s = service(async () => ({ status: 200 }), []);
    await assert.rejects(s.call('GET /nope'), /pricing has no route GET \/nope/);
  });
});
