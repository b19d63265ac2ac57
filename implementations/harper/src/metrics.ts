import { BroadcastChannel, threadId } from 'node:worker_threads';
import { HttpMetrics } from '@lab/contract/metrics';
import { AggregatorRegistry, Gauge, type MetricObjectWithValues, type MetricValue } from 'prom-client';

// Harper serves HTTP from THREADS_COUNT worker threads, and each thread loads this module, so each has its own
// prom-client registry. GET /metrics lands on one thread: that thread asks the others for their metrics over a
// BroadcastChannel and merges them with prom-client's AggregatorRegistry (the cluster-mode aggregator, which
// only needs the JSON form of each registry). Counters and histograms are summed; process_* metrics describe the
// one shared process, so the first thread's value is kept instead of a sum.

type MetricJson = MetricObjectWithValues<MetricValue<string>>;

interface CollectRequest {
  kind: 'collect';
  id: number;
  from: number;
}

interface CollectReply {
  kind: 'metrics';
  id: number;
  to: number;
  metrics: MetricJson[];
}

const CHANNEL = 'lab-harper-metrics';
const COLLECT_TIMEOUT_MS = 500;

export class ThreadedMetrics {
  readonly http: HttpMetrics;
  private readonly threads: number;
  private readonly channel: BroadcastChannel | undefined;
  private readonly pending = new Map<number, { replies: MetricJson[][]; done: () => void }>();
  private nextId = 1;
  private readonly reporting: Gauge;

  constructor(target: string, threads: number) {
    this.http = new HttpMetrics(target);
    this.threads = threads;
    new Gauge({
      name: 'lab_harper_threads',
      help: 'Harper HTTP worker threads configured (THREADS_COUNT, from LAB_CPUS)',
      registers: [this.http.registry],
      aggregator: 'first',
    }).set(threads);
    this.reporting = new Gauge({
      name: 'lab_harper_metrics_threads_reporting',
      help: 'Worker threads whose metrics this scrape includes',
      registers: [this.http.registry],
      aggregator: 'first',
    });
    if (threads > 1) {
      this.channel = new BroadcastChannel(CHANNEL);
      this.channel.unref();
      this.channel.onmessage = (event) => this.onMessage((event as MessageEvent).data);
    }
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    this.http.observe(route, method, status, seconds);
  }

  get contentType(): string {
    return this.http.registry.contentType;
  }

  private onMessage(msg: CollectRequest | CollectReply): void {
    if (msg.kind === 'collect') {
      void this.http.registry.getMetricsAsJSON().then((metrics) => {
        const reply: CollectReply = {
          kind: 'metrics',
          id: msg.id,
          to: msg.from,
          metrics: metrics as MetricJson[],
        };
        this.channel?.postMessage(reply);
      });
    } else if (msg.to === threadId) {
      const p = this.pending.get(msg.id);
      if (p) {
        p.replies.push(msg.metrics);
        if (p.replies.length >= this.threads - 1) p.done();
      }
    }
  }

  /** Prometheus text for the whole process: every thread's metrics merged. */
  async text(): Promise<string> {
    if (!this.channel) {
      this.reporting.set(1);
      return this.http.registry.metrics();
    }
    const id = this.nextId++;
    const replies: MetricJson[][] = [];
    const others = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, COLLECT_TIMEOUT_MS);
      this.pending.set(id, {
        replies,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
    this.channel.postMessage({ kind: 'collect', id, from: threadId } satisfies CollectRequest);
    await others;
    this.pending.delete(id);
    this.reporting.set(replies.length + 1);
    const own = (await this.http.registry.getMetricsAsJSON()) as MetricJson[];
    const all = [own, ...replies].map((metrics) =>
      metrics.map((m) => (m.name.startsWith('process_') ? { ...m, aggregator: 'first' as const } : m)),
    );
    return AggregatorRegistry.aggregate(all).metrics();
  }
}
