import {
  type Cart,
  generateDataset,
  JSON_CONTENT_TYPE,
  matchRoute,
  Oracle,
  type OracleResponse,
  type Order,
  splitTarget,
} from '@lab/contract';
import { firstDifference } from './diff.js';
import { type HttpRequest, type HttpResponse, send } from './http.js';
import type { SpecValidator } from './spec-validator.js';

export interface CheckResult {
  group: string;
  name: string;
  /** "GET /api/home" */
  request: string;
  pass: boolean;
  /** Why it failed (empty when it passed). */
  detail: string;
  ms: number;
}

export interface VerifierOptions {
  baseUrl: string;
  adminToken: string;
  seed: number;
  scale: number;
  timeoutMs: number;
  spec: SpecValidator;
  onCheck?: ((c: CheckResult) => void) | undefined;
}

/** What the target's answer is compared with. */
type Expectation =
  { kind: 'oracle'; response: OracleResponse; ids?: IdRewrite } | { kind: 'status'; status: number };

/** Server-generated ids: the oracle's are replaced by the target's before comparing. */
type IdRewrite = (expected: unknown, actual: unknown) => unknown;

const SERVER_TIMING_APP = /(^|,)\s*app;dur=\d+(\.\d+)?/;

/**
 * Drives a running target through the whole contract and compares every answer with the oracle, which replays
 * the same requests in-process. Sequential on purpose: the order of writes must be the same on both sides.
 */
export class Verifier {
  readonly oracle: Oracle;
  readonly spec: SpecValidator;
  readonly checks: CheckResult[] = [];
  /** oracle cart id -> target cart id */
  private readonly cartIds = new Map<string, string>();
  private readonly seenOrderIds = new Set<string>();

  constructor(private readonly o: VerifierOptions) {
    this.spec = o.spec;
    this.oracle = new Oracle(generateDataset({ seed: o.seed, scale: o.scale }), {
      target: 'oracle',
      adminToken: o.adminToken,
    });
  }

  private record(c: Omit<CheckResult, 'pass' | 'detail'> & { problems: string[] }): boolean {
    const result: CheckResult = {
      group: c.group,
      name: c.name,
      request: c.request,
      pass: c.problems.length === 0,
      detail: c.problems.join('; '),
      ms: c.ms,
    };
    this.checks.push(result);
    this.o.onCheck?.(result);
    return result.pass;
  }

  /** Sends a request to the target, and (unless told otherwise) the same request to the oracle. */
  async exchange(
    group: string,
    name: string,
    req: HttpRequest,
    opts: { oracleUrl?: string; expect?: Expectation; timeoutMs?: number } = {},
  ): Promise<{ pass: boolean; res: HttpResponse; body: unknown }> {
    const res = await send(this.o.baseUrl, req, opts.timeoutMs ?? this.o.timeoutMs);
    const expect: Expectation =
      opts.expect ??
      ({
        kind: 'oracle',
        response: this.oracle.handle({
          method: req.method,
          url: opts.oracleUrl ?? req.url,
          contentType: req.headers?.['content-type'],
          labToken: req.headers?.['x-lab-token'],
          body: req.body,
        }),
      } as const);
    const { problems, body } = this.compare(req, res, expect);
    const pass = this.record({ group, name, request: `${req.method} ${req.url}`, problems, ms: res.ms });
    return { pass, res, body };
  }

  private compare(
    req: HttpRequest,
    res: HttpResponse,
    expect: Expectation,
  ): { problems: string[]; body: unknown } {
    if (res.status === 0) return { problems: [`no response: ${res.text}`], body: undefined };
    const expectedStatus = expect.kind === 'oracle' ? expect.response.status : expect.status;
    const problems: string[] = [];
    if (res.status !== expectedStatus) {
      problems.push(`status ${res.status}, expected ${expectedStatus} (body: ${res.text.slice(0, 160)})`);
      return { problems, body: undefined };
    }
    const expectedBody = expect.kind === 'oracle' ? expect.response.body : undefined;
    if (expectedStatus === 204) {
      if (res.text.length > 0) problems.push(`a 204 must have no body, got ${res.text.slice(0, 80)}`);
      return { problems, body: undefined };
    }
    if ((res.contentType ?? '').toLowerCase() !== JSON_CONTENT_TYPE) {
      problems.push(`content-type "${res.contentType}", expected "${JSON_CONTENT_TYPE}"`);
    }
    if (!res.serverTiming || !SERVER_TIMING_APP.test(res.serverTiming)) {
      problems.push(`server-timing "${res.serverTiming ?? ''}" has no app;dur=<ms>`);
    }
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      problems.push(`body is not JSON: ${res.text.slice(0, 120)}`);
      return { problems, body: undefined };
    }
    const { path } = splitTarget(req.url);
    const route = matchRoute(req.method, path);
    problems.push(
      ...(route
        ? this.o.spec.validateResponse(route.route.template, req.method, res.status, body)
        : this.o.spec.validateSchema('Error', body)
      ).map((p) => `schema: ${p}`),
    );
    if (expect.kind === 'oracle') {
      const wanted = expect.ids ? expect.ids(expectedBody, body) : expectedBody;
      const wantedText = JSON.stringify(wanted);
      if (wantedText !== res.text) {
        const d = firstDifference(wanted, body);
        problems.push(d ?? 'body is equal as JSON but not byte-identical (whitespace or number formatting)');
      }
    }
    return { problems, body };
  }

  /** A check computed locally, not from one exchange (e.g. an invariant over several answers). */
  assert(group: string, name: string, request: string, problems: string[]): boolean {
    return this.record({ group, name, request, problems, ms: 0 });
  }

  // ---- carts: server-generated ids --------------------------------------------------------------------------

  /** Rewrites an expected Cart or Order so that its ids are the target's. */
  private rewriteIds: IdRewrite = (expected, actual) => {
    if (!expected || typeof expected !== 'object') return expected;
    const e = { ...(expected as Record<string, unknown>) };
    if ('id' in e && typeof e['id'] === 'string') e['id'] = this.cartIds.get(e['id']) ?? e['id'];
    if ('cartId' in e && typeof e['cartId'] === 'string')
      e['cartId'] = this.cartIds.get(e['cartId']) ?? e['cartId'];
    if ('orderId' in e) {
      const got = (actual as Record<string, unknown> | null)?.['orderId'];
      if (typeof got === 'string' && got.length > 0) e['orderId'] = got;
    }
    return e;
  };

  /** Creates a cart on both sides and remembers the pairing; returns the target's id (or null). */
  async createCart(
    group: string,
    name = 'create a cart',
  ): Promise<{ targetId: string; oracleId: string } | null> {
    const expected = this.oracle.createCart();
    const oracleId = (expected.body as Cart).id;
    const r = await this.exchange(
      group,
      name,
      { method: 'POST', url: '/api/carts' },
      {
        expect: {
          kind: 'oracle',
          response: expected,
          ids: (e, a) => {
            const id = (a as Cart | null)?.id;
            if (typeof id === 'string' && id.length > 0) this.cartIds.set(oracleId, id);
            return this.rewriteIds(e, a);
          },
        },
      },
    );
    const targetId = this.cartIds.get(oracleId);
    if (!r.pass || !targetId) return null;
    return { targetId, oracleId };
  }

  cartUrl(cart: { targetId: string; oracleId: string }, suffix = ''): { url: string; oracleUrl: string } {
    return {
      url: `/api/carts/${encodeURIComponent(cart.targetId)}${suffix}`,
      oracleUrl: `/api/carts/${encodeURIComponent(cart.oracleId)}${suffix}`,
    };
  }

  async cartExchange(
    group: string,
    name: string,
    cart: { targetId: string; oracleId: string },
    method: 'GET' | 'POST',
    suffix: string,
    body?: unknown,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Promise<{ pass: boolean; res: HttpResponse; body: unknown }> {
    const { url, oracleUrl } = this.cartUrl(cart, suffix);
    const req: HttpRequest = { method, url };
    if (body !== undefined) {
      req.body = typeof body === 'string' ? body : JSON.stringify(body);
      req.headers = headers;
    }
    const response = this.oracle.handle({
      method,
      url: oracleUrl,
      contentType: req.headers?.['content-type'],
      body: req.body,
    });
    const r = await this.exchange(group, name, req, {
      expect: { kind: 'oracle', response, ids: this.rewriteIds },
    });
    if (r.pass && response.status === 201 && suffix === '/checkout') {
      const orderId = (r.body as Order).orderId;
      if (this.seenOrderIds.has(orderId)) {
        this.assert(group, `${name}: order id is new`, `${method} ${url}`, [
          `order id ${orderId} was issued twice`,
        ]);
      }
      this.seenOrderIds.add(orderId);
    }
    return r;
  }

  get failed(): number {
    return this.checks.filter((c) => !c.pass).length;
  }
}
