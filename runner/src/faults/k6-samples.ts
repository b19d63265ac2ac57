/**
 * Reads k6's JSON output (`k6 run --out json=FILE`: one metric sample per line) into what the fault analysis
 * needs: every HTTP request (when it ended, how long it took, whether k6 counted it as expected, its route and,
 * for a checkout flow of scenario 10, the product and quantity bought) and when iterations were dropped.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface RequestSample {
  /** Epoch ms when the response (or the error) came. */
  endMs: number;
  durationMs: number;
  ok: boolean;
  route: string;
  status: number;
  product: number | null;
  quantity: number | null;
}

export interface K6Samples {
  requests: RequestSample[];
  /** Epoch ms of each iteration the arrival-rate executor could not start (no free VU). */
  dropped: number[];
}

interface Point {
  type?: string;
  metric?: string;
  data?: { time?: string; value?: number; tags?: Record<string, string> };
}

const num = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));

export function parseSampleLine(line: string, into: K6Samples): void {
  if (!line.includes('"Point"')) return;
  const p = JSON.parse(line) as Point;
  const t = p.data?.time ? Date.parse(p.data.time) : NaN;
  if (p.type !== 'Point' || Number.isNaN(t)) return;
  if (p.metric === 'dropped_iterations') {
    for (let i = 0; i < (p.data?.value ?? 1); i++) into.dropped.push(t);
    return;
  }
  if (p.metric !== 'http_req_duration') return;
  const tags = p.data?.tags ?? {};
  into.requests.push({
    endMs: t,
    durationMs: p.data?.value ?? 0,
    ok: tags['expected_response'] === 'true',
    route: tags['name'] ?? tags['url'] ?? '?',
    status: Number(tags['status'] ?? 0),
    product: num(tags['product']),
    quantity: num(tags['quantity']),
  });
}

export async function readK6Samples(file: string): Promise<K6Samples> {
  const out: K6Samples = { requests: [], dropped: [] };
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) parseSampleLine(line, out);
  out.requests.sort((a, b) => a.endMs - b.endMs);
  return out;
}

/** The order lines the target confirmed: each checkout answered 201, with the product and quantity bought. */
export function confirmedOrders(s: K6Samples): { product: number; quantity: number }[] {
  return s.requests
    .filter((r) => r.route === 'checkout' && r.status === 201 && r.product !== null && r.quantity !== null)
    .map((r) => ({ product: r.product!, quantity: r.quantity! }));
}
