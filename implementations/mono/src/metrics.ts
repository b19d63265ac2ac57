import cluster from 'node:cluster';
import { HttpMetrics } from '@lab/contract/metrics';
import type pg from 'pg';
import { AggregatorRegistry, Gauge } from 'prom-client';
import { TARGET } from './config.js';

/** The pg pool as three gauges, read at scrape time (summed over workers when there are several). */
export function registerPoolGauges(metrics: HttpMetrics, pool: pg.Pool): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'pg_pool_total_connections',
    help: 'Connections the pg pool holds (idle + checked out)',
    registers,
    collect() {
      this.set(pool.totalCount);
    },
  });
  new Gauge({
    name: 'pg_pool_idle_connections',
    help: 'Connections idle in the pg pool',
    registers,
    collect() {
      this.set(pool.idleCount);
    },
  });
  new Gauge({
    name: 'pg_pool_waiting_clients',
    help: 'Queries waiting for a pooled connection',
    registers,
    collect() {
      this.set(pool.waitingCount);
    },
  });
}

export function createMetrics(): HttpMetrics {
  return new HttpMetrics(TARGET);
}

interface MetricsMessage {
  type: 'mono:metrics';
  id: number;
  text?: string;
  error?: string;
}

function isMetricsMessage(m: unknown): m is MetricsMessage {
  return (m as MetricsMessage | null)?.type === 'mono:metrics';
}

/**
 * The /metrics text. One process: its own registry. Several workers: the request goes to the primary, which
 * gathers every worker's registry with prom-client's AggregatorRegistry (counters and gauges summed), so that
 * any worker answers for the whole target.
 */
export function metricsSource(metrics: HttpMetrics): () => Promise<string> {
  if (!cluster.isWorker) return () => metrics.registry.metrics();
  // Constructing an AggregatorRegistry is what installs prom-client's worker-side listener.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
  let next = 0;
  const pending = new Map<number, { resolve: (s: string) => void; reject: (e: Error) => void }>();
  process.on('message', (m: unknown) => {
    if (!isMetricsMessage(m)) return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.text !== undefined) p.resolve(m.text);
    else p.reject(new Error(m.error ?? 'metrics aggregation failed'));
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      process.send!({ type: 'mono:metrics', id } satisfies MetricsMessage);
    });
}

/** In the primary: answers workers' metrics requests with the aggregate of all workers. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, m: unknown) => {
    if (!isMetricsMessage(m)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: 'mono:metrics', id: m.id, text } satisfies MetricsMessage),
      (e: Error) =>
        worker.send({ type: 'mono:metrics', id: m.id, error: e.message } satisfies MetricsMessage),
    );
  });
}
