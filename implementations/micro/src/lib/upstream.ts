import { ContractError, errors } from '@lab/contract';
import { Histogram, type Registry } from 'prom-client';
import { Pool } from 'undici';
import type { ServiceName, UpstreamSettings } from './config.js';

const TIMEOUT = Symbol('upstream timeout');

/** One upstream hop of the current request, for the server-timing header. */
export interface Hop {
  service: string;
  ms: number;
}

/** The context of one incoming request: its upstream hops (for server-timing) and its deadline. */
export class Hops {
  readonly list: Hop[] = [];
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() time after which the request's caller gets a 504: every call made for it shares it. */
  constructor(readonly deadline?: number) {}
  /**
   * One abort signal for all the calls of this request, fired at its deadline: one AbortController and one timer
   * per page instead of one per call (the profile's second-largest per-call cost in the BFF after the socket
   * writes; see docs/implementations/micro.md). Armed on first use; `done()` disarms it.
   */
  signal(): AbortSignal | undefined {
    if (this.deadline === undefined) return undefined;
    if (!this.controller) {
      const controller = new AbortController();
      this.controller = controller;
      this.timer = setTimeout(
        () => controller.abort(TIMEOUT),
        Math.max(0, this.deadline - performance.now()),
      );
    }
    return this.controller.signal;
  }
  /** The request is answered: its calls are over (or no longer awaited), so the deadline timer goes. */
  done(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
  add(service: string, ms: number): void {
    this.list.push({ service, ms });
  }
  /** "catalog;dur=1.204, pricing;dur=0.811" (one entry per hop, in completion order). */
  header(): string {
    let out = '';
    for (const h of this.list) out += `, ${h.service};dur=${h.ms.toFixed(3)}`;
    return out;
  }
}

export interface UpstreamResponse {
  status: number;
  text: string;
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  /** JSON text. */
  body?: string;
  headers?: Record<string, string>;
  hops?: Hops | undefined;
  /**
   * The caller's own deadline (performance.now() time), propagated from the request being served: the call
   * gets min(this deadline, now + UPSTREAM_TIMEOUT_MS). Compensations pass none: they run on their own budget.
   */
  deadline?: number | undefined;
  /**
   * This call's own cap instead of UPSTREAM_TIMEOUT_MS, for the rare call that is not part of a page (the admin
   * reset between benchmark runs, which may wait for a service still draining a backlog).
   */
  maxMs?: number | undefined;
}

/**
 * Deadline propagation: each call tells the service how long its caller will wait (relative milliseconds, like
 * gRPC's grpc-timeout, so clocks need not agree). A service drops a request whose caller has already given up
 * and passes the rest of the budget on to its own calls: under overload no work is spent on answers nobody
 * will read, and a saga does not reserve stock after its client got a 504.
 */
export const TIMEOUT_HEADER = 'x-timeout-ms';

/** The local deadline (performance.now() time) of a request carrying TIMEOUT_HEADER, else undefined. */
export function deadlineOf(
  headers: Record<string, string | string[] | undefined>,
  arrived: number,
): number | undefined {
  const raw = headers[TIMEOUT_HEADER];
  if (typeof raw !== 'string' || !/^[0-9]{1,9}$/.test(raw)) return undefined;
  return arrived + Number(raw);
}

const JSON_REQUEST_HEADERS = { 'content-type': 'application/json' };

/** Upstream latency by service and outcome, registered on the process's metrics registry. */
export function upstreamHistogram(registry: Registry, name: string): Histogram<'service' | 'outcome'> {
  return new Histogram({
    name,
    help: 'Latency of calls to an upstream service (whole call: queue, connect, headers, body)',
    labelNames: ['service', 'outcome'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}

/**
 * An HTTP client for one service: an undici Pool with bounded keep-alive connections, plus a whole-call deadline
 * (an AbortSignal armed per call, so time spent queued for a free connection counts too). Failures become
 * contract errors naming the service: 503 service_unavailable when the service cannot be reached or fails,
 * 504 upstream_timeout when it does not answer within the deadline. Never a hang, never a 500.
 */
export class Upstream {
  readonly pool: Pool;
  private readonly timeoutError: ContractError;
  private readonly unavailableError: ContractError;

  constructor(
    readonly service: ServiceName,
    readonly origin: string,
    readonly settings: UpstreamSettings,
    private readonly histogram?: Histogram<'service' | 'outcome'>,
  ) {
    this.pool = new Pool(origin, {
      connections: settings.connections,
      pipelining: 1,
      keepAliveTimeout: settings.keepAliveMs,
      keepAliveMaxTimeout: settings.keepAliveMs,
      connectTimeout: settings.connectTimeoutMs,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    });
    this.timeoutError = new ContractError(errors.upstreamTimeout(service, settings.timeoutMs));
    this.unavailableError = new ContractError(errors.serviceUnavailable(service));
  }

  /**
   * One call. Resolves with any status the service answered with (the caller decides what a 404 means);
   * a 5xx is passed through when it is a contract error body (e.g. orders naming pricing), else it becomes
   * 503 naming this service. Rejects only with a ContractError.
   */
  async call(path: string, opts: CallOptions = {}): Promise<UpstreamResponse> {
    const t0 = performance.now();
    const deadline = opts.deadline ?? opts.hops?.deadline;
    const cap = opts.maxMs ?? this.settings.timeoutMs;
    const budget = Math.floor(deadline === undefined ? cap : Math.min(cap, deadline - t0));
    const timeoutError =
      cap === this.settings.timeoutMs
        ? this.timeoutError
        : new ContractError(errors.upstreamTimeout(this.service, cap));
    if (budget <= 0) {
      this.histogram?.observe({ service: this.service, outcome: 'timeout' }, 0);
      throw timeoutError;
    }
    // The page's shared signal when this call's deadline is the page's; else a controller and timer of its own.
    const shared =
      opts.deadline === undefined &&
      opts.maxMs === undefined &&
      deadline !== undefined &&
      deadline - t0 <= cap
        ? opts.hops?.signal()
        : undefined;
    let timer: NodeJS.Timeout | undefined;
    let signal = shared;
    if (!signal) {
      const ac = new AbortController();
      timer = setTimeout(() => ac.abort(TIMEOUT), budget);
      signal = ac.signal;
    }
    let outcome = 'ok';
    try {
      const headers: Record<string, string> = { [TIMEOUT_HEADER]: String(budget), ...opts.headers };
      if (opts.body !== undefined) Object.assign(headers, JSON_REQUEST_HEADERS);
      const res = await this.pool.request({
        path,
        method: opts.method ?? 'GET',
        headers,
        body: opts.body,
        signal,
        // The pool's own timeouts are the page cap; a call with its own cap must not be cut short by them.
        ...(opts.maxMs === undefined ? {} : { headersTimeout: budget, bodyTimeout: budget }),
      });
      const text = await res.body.text();
      if (res.statusCode >= 500 && !isContractError(text)) {
        outcome = 'error';
        throw this.unavailableError;
      }
      return { status: res.statusCode, text };
    } catch (e) {
      if (e instanceof ContractError) throw e;
      if (signal.aborted) {
        outcome = 'timeout';
        throw timeoutError;
      }
      const name = (e as Error).name;
      outcome = name === 'HeadersTimeoutError' || name === 'BodyTimeoutError' ? 'timeout' : 'error';
      throw outcome === 'timeout' ? timeoutError : this.unavailableError;
    } finally {
      if (timer) clearTimeout(timer);
      const ms = performance.now() - t0;
      opts.hops?.add(this.service, ms);
      this.histogram?.observe({ service: this.service, outcome }, ms / 1000);
    }
  }

  /** GET returning parsed JSON for a 200; a 404 becomes `notFound` (when given); anything else is passed up. */
  async getJson<T>(path: string, hops?: Hops, notFound?: () => ContractError, deadline?: number): Promise<T> {
    const r = await this.call(path, { hops, deadline });
    if (r.status === 200) return JSON.parse(r.text) as T;
    throw this.unexpected(r, notFound);
  }

  /** Turns a non-success answer into the error the caller should send. */
  unexpected(r: UpstreamResponse, notFound?: () => ContractError): ContractError {
    if (r.status === 404 && notFound) return notFound();
    const passed = parseContractError(r);
    return passed ?? this.unavailableError;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function isContractError(text: string): boolean {
  return text.startsWith('{"error":{"code":"');
}

/** A contract error body from a service, re-thrown as is (same status, same bytes). */
export function parseContractError(r: UpstreamResponse): ContractError | null {
  if (!isContractError(r.text)) return null;
  try {
    const body = JSON.parse(r.text) as ContractError['body'];
    const err = new ContractError({ status: r.status, body });
    return err;
  } catch {
    return null;
  }
}

/** Upstream clients of a process, one Pool per service. */
export function makeUpstreams<S extends ServiceName>(
  services: readonly S[],
  urls: Record<ServiceName, string>,
  settings: UpstreamSettings,
  histogram?: Histogram<'service' | 'outcome'>,
): Record<S, Upstream> {
  const out = {} as Record<S, Upstream>;
  for (const s of services) out[s] = new Upstream(s, urls[s], settings, histogram);
  return out;
}
