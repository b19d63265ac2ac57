import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * Per-route request counts and latency under the metric names every target exposes, so the dashboards and the
 * runner read one vocabulary: http_requests_total{route,method,status} and
 * http_request_duration_seconds{route,method}, with default labels target and service. `route` is the OpenAPI
 * path template (ROUTES[].template) or "unmatched", never a raw URL (unbounded label values).
 */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly duration: Histogram<'route' | 'method'>;

  constructor(target: string, service: string = target) {
    this.registry.setDefaultLabels({ target, service });
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route template, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request to response written, by route template',
      labelNames: ['route', 'method'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status });
    this.duration.observe({ route, method }, seconds);
  }
}

/** The `server-timing` header value: app time, and database time where the target measures it. */
export function serverTiming(appMs: number, dbMs?: number): string {
  return dbMs === undefined
    ? `app;dur=${appMs.toFixed(3)}`
    : `app;dur=${appMs.toFixed(3)}, db;dur=${dbMs.toFixed(3)}`;
}
