// The contract's client, per target: every call is timed in the browser, its server-timing header is parsed, and
// the result is logged for the timing panel. A target that does not answer at all is "not running", not an error.
import type * as C from '../../../contract/src/types.js';
import generated from './targets.gen.json';

export type { C };

/** A target's id: a name in docker-compose.yml's x-lab-targets. */
export type TargetId = string;

export interface Target {
  id: TargetId;
  label: string;
  port: number;
  what: string;
}

/**
 * The toggle's targets, in docker-compose.yml's order, with their ports and what each is: generated from the
 * compose file (`npm run gen:web-targets`; a test fails when this file drifts from it).
 */
export const TARGETS: readonly Target[] = generated.map((t) => ({
  id: t.id,
  label: t.label,
  port: t.port,
  what: t.summary,
}));

export function target(id: TargetId): Target {
  return TARGETS.find((t) => t.id === id)!;
}

/** The API base of a target: the page's own origin when the page came from that target, else its port on this host. */
export function baseUrl(t: Target): string {
  if (location.port === String(t.port)) return '';
  return `${location.protocol}//${location.hostname}:${t.port}`;
}

export interface TimingEntry {
  name: string;
  dur: number;
  desc?: string;
}

/** Parses a server-timing header: `app;dur=1.2, db;dur=0.3, catalog;dur=0.8;desc="GET /products"`. */
export function parseServerTiming(header: string | null): TimingEntry[] {
  if (!header) return [];
  const out: TimingEntry[] = [];
  for (const metric of header.split(',')) {
    const [rawName, ...params] = metric.split(';');
    const name = rawName?.trim();
    if (!name) continue;
    const e: TimingEntry = { name, dur: 0 };
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq === -1) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      let value = p.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (key === 'dur') e.dur = Number(value) || 0;
      else if (key === 'desc') e.desc = value;
    }
    out.push(e);
  }
  return out;
}

export interface LoggedRequest {
  seq: number;
  target: TargetId;
  method: string;
  path: string;
  status: number;
  /** Browser round trip: request sent until the body was read. */
  ms: number;
  timing: TimingEntry[];
}

type Listener = (r: LoggedRequest) => void;
const listeners: Listener[] = [];
let seq = 0;

export function onRequest(l: Listener): void {
  listeners.push(l);
}

/** The target did not answer (connection refused, timeout): it is not running. */
export class TargetDown extends Error {
  constructor(readonly target: TargetId) {
    super(`${target} is not running`);
  }
}

export interface Reply<T> {
  status: number;
  ok: boolean;
  /** The parsed body: T on 2xx, the contract's error body otherwise; undefined for 204. */
  data: T;
  error: C.ErrorBody['error'] | undefined;
}

export async function call<T>(
  id: TargetId,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  opts: { log?: boolean; timeoutMs?: number } = {},
): Promise<Reply<T>> {
  const t = target(id);
  const init: RequestInit = { method, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const started = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await fetch(baseUrl(t) + path, init);
    text = await res.text();
  } catch {
    throw new TargetDown(id);
  }
  const ms = performance.now() - started;
  if (opts.log !== false) {
    const entry: LoggedRequest = {
      seq: ++seq,
      target: id,
      method,
      path,
      status: res.status,
      ms,
      timing: parseServerTiming(res.headers.get('server-timing')),
    };
    for (const l of listeners) l(entry);
  }
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  const ok = res.ok;
  return {
    status: res.status,
    ok,
    data: data as T,
    error: ok ? undefined : (data as C.ErrorBody | undefined)?.error,
  };
}

export type Health = 'up' | 'starting' | 'down' | 'unknown';

/** GET /health without logging: 200 is up, another answer (Harper's 503 while it loads) is starting. */
export async function probe(id: TargetId): Promise<Health> {
  try {
    const r = await call<C.Health>(id, 'GET', '/health', undefined, { log: false, timeoutMs: 2_500 });
    return r.status === 200 ? 'up' : 'starting';
  } catch {
    return 'down';
  }
}
