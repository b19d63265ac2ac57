/**
 * The cold-start prober: from a start timestamp on, asks the target for one product page until the first
 * answer that is a 200 with the oracle's exact body (a 200 with a half-loaded body is not serving), then keeps
 * asking at a fixed pace (sequentially, one request in flight) for `steadyMs` to see the latency settle.
 */
export interface ProbeSample {
  /** ms since the start timestamp when the request was sent. */
  sentMs: number;
  latencyMs: number;
}

export interface ProbeResult {
  /** ms from the start timestamp to the end of the first correct 200 (null: none before the deadline). */
  firstOkMs: number | null;
  attempts: number;
  samples: ProbeSample[];
  /** Answers in the steady phase that were not the correct 200 (no sample for them): a flapping target shows here. */
  steadyFailures: number;
}

export interface ProbeOptions {
  url: string;
  expectedBody: string;
  /** performance.now() of the start (`up` called, or the kill). */
  t0: number;
  deadlineMs: number;
  steadyMs: number;
  intervalMs?: number;
  /** True once the start has failed (`up` gave up): nothing will answer, stop asking. */
  failed?: () => boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function once(url: string, expected: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    // Read every body, errors too: an unread one holds its connection until GC.
    const body = await r.text();
    return r.status === 200 && body === expected;
  } catch {
    return false;
  }
}

export async function probe(o: ProbeOptions): Promise<ProbeResult> {
  const since = () => performance.now() - o.t0;
  let attempts = 0;
  let firstOkMs: number | null = null;
  while (since() < o.deadlineMs && !o.failed?.()) {
    attempts++;
    if (await once(o.url, o.expectedBody)) {
      firstOkMs = since();
      break;
    }
    await sleep(5);
  }
  const samples: ProbeSample[] = [];
  let steadyFailures = 0;
  if (firstOkMs === null) return { firstOkMs, attempts, samples, steadyFailures };
  const end = firstOkMs + o.steadyMs;
  const every = o.intervalMs ?? 10;
  while (since() < end) {
    const sent = since();
    const ok = await once(o.url, o.expectedBody);
    if (ok) samples.push({ sentMs: sent, latencyMs: since() - sent });
    else steadyFailures++;
    const wait = every - (since() - sent);
    if (wait > 0) await sleep(wait);
  }
  return { firstOkMs, attempts, samples, steadyFailures };
}
