/** The few calls of Prometheus's HTTP API the lab uses (https://prometheus.io/docs/prometheus/latest/querying/api/). */

export class PrometheusError extends Error {}

/** One series of a query answer: its labels and its float samples ([unix seconds, value]; NaN kept as NaN). */
export interface Series {
  labels: Record<string, string>;
  samples: [number, number][];
  /** Samples that were native histograms, not floats (a query that returns raw histograms). */
  histogramSamples: number;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  error?: string;
  errorType?: string;
}

interface QueryData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

type RawSample = [number, string];
interface RawSeries {
  metric: Record<string, string>;
  value?: RawSample;
  values?: RawSample[];
  histogram?: [number, unknown];
  histograms?: [number, unknown][];
}

const sample = (s: RawSample): [number, number] => [s[0], Number(s[1])];

export class Prometheus {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 15_000,
  ) {}

  private async get<T>(path: string, params: Record<string, string | string[]>): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
    let r: Response;
    try {
      // GET: every endpoint used here accepts it (label values and buildinfo accept nothing else).
      r = await fetch(`${this.url}${path}${qs.size ? `?${qs}` : ''}`, {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new PrometheusError(`${this.url}${path}: ${(e as Error).message}`);
    }
    const text = await r.text();
    let j: ApiAnswer<T>;
    try {
      j = JSON.parse(text) as ApiAnswer<T>;
    } catch {
      throw new PrometheusError(`${this.url}${path}: HTTP ${r.status}: ${text.slice(0, 200)}`);
    }
    if (j.status !== 'success' || j.data === undefined)
      throw new PrometheusError(
        `${path} ${JSON.stringify(params)}: ${j.errorType ?? 'error'}: ${j.error ?? text}`,
      );
    return j.data;
  }

  /** Whether Prometheus answers /-/ready. */
  async ready(): Promise<boolean> {
    try {
      const r = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      return r.ok;
    } catch {
      return false;
    }
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const t0 = Date.now();
    while (!(await this.ready())) {
      if (Date.now() - t0 > timeoutMs)
        throw new PrometheusError(`Prometheus at ${this.url} is not ready after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async version(): Promise<string | null> {
    try {
      const d = await this.get<{ version?: string }>('/api/v1/status/buildinfo', {});
      return d.version ?? null;
    } catch {
      return null;
    }
  }

  private static series(data: QueryData): Series[] {
    if (data.resultType === 'scalar') {
      const s = data.result as RawSample;
      return [{ labels: {}, samples: [sample(s)], histogramSamples: 0 }];
    }
    if (data.resultType === 'string') return [];
    return (data.result as RawSeries[]).map((r) => {
      const floats = r.values ?? (r.value ? [r.value] : []);
      const hist = r.histograms?.length ?? (r.histogram ? 1 : 0);
      return { labels: r.metric, samples: floats.map(sample), histogramSamples: hist };
    });
  }

  /** An instant query at `time` (unix seconds; default now). */
  async query(expr: string, time?: number): Promise<Series[]> {
    const d = await this.get<QueryData>('/api/v1/query', {
      query: expr,
      ...(time === undefined ? {} : { time: time.toFixed(3) }),
    });
    return Prometheus.series(d);
  }

  /** A range query over [start, end] (unix seconds) every `step` seconds. */
  async queryRange(expr: string, start: number, end: number, step: number): Promise<Series[]> {
    const d = await this.get<QueryData>('/api/v1/query_range', {
      query: expr,
      start: start.toFixed(3),
      end: end.toFixed(3),
      step: String(step),
    });
    return Prometheus.series(d);
  }

  /** Values of a label, optionally only on series matching a selector, within [start, end]. */
  async labelValues(label: string, match?: string, start?: number, end?: number): Promise<string[]> {
    return this.get<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values`, {
      ...(match ? { 'match[]': match } : {}),
      ...(start === undefined ? {} : { start: start.toFixed(3) }),
      ...(end === undefined ? {} : { end: end.toFixed(3) }),
    });
  }
}
