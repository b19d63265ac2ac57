/**
 * The internal hops of a target, read from docker-compose.yml: every loopback URL in a service's native
 * environment (BFF → service, service → service, app → database) is a hop. Scenario 09 routes each through a
 * latency proxy by rewriting those URLs (LAB_HOP_ROUTES, applied by ./lab when it starts a service); Harper's
 * environment names no other service, so it has no hop to route — which is the point.
 */
import type { ServiceSpec } from './compose.js';

/** One service's variable that points at another process on this host. */
export interface Hop {
  service: string;
  variable: string;
  /** "127.0.0.1:3001" */
  upstream: string;
}

/** upstream "host:port" → the proxy's "host:port" that forwards to it. */
export type HopRoutes = Record<string, string>;

export const ROUTES_VAR = 'LAB_HOP_ROUTES';

// scheme://[user[:password]@]host:port followed by a path, a query, or nothing.
const LOOPBACK_URL = /^([a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?)(127\.0\.0\.1|localhost):(\d{1,5})(?=[/?#]|$)/i;

/** A service's environment as ./lab runs it: compose `environment`, then `x-native.env` over it. */
export function nativeEnv(s: ServiceSpec): Record<string, string> {
  return { ...s.environment, ...(s.native?.env ?? {}) };
}

/** Every hop of a profile's services, in service then variable order. */
export function findHops(services: readonly ServiceSpec[]): Hop[] {
  const hops: Hop[] = [];
  for (const s of services) {
    if (s.native?.oneshot) continue;
    for (const [variable, value] of Object.entries(nativeEnv(s)).sort(([a], [b]) => a.localeCompare(b))) {
      const m = LOOPBACK_URL.exec(value);
      if (m) hops.push({ service: s.name, variable, upstream: `127.0.0.1:${m[3]}` });
    }
  }
  return hops;
}

/** The distinct upstreams of a set of hops: one proxy each (several callers of one database share it). */
export function upstreams(hops: readonly Hop[]): string[] {
  return [...new Set(hops.map((h) => h.upstream))].sort();
}

/** The value with its loopback address replaced by the proxy's, when it has a route; else unchanged. */
export function routeValue(value: string, routes: HopRoutes): string {
  const m = LOOPBACK_URL.exec(value);
  const to = m ? routes[`127.0.0.1:${m[3]}`] : undefined;
  return m && to ? m[1] + to + value.slice(m[0].length) : value;
}

/** Rewrites every routed URL of an environment in place (./lab calls it for each service it starts). */
export function applyRoutes(env: NodeJS.ProcessEnv, routes: HopRoutes | null): void {
  if (!routes) return;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) env[k] = routeValue(v, routes);
}

const ADDRESS = /^127\.0\.0\.1:\d{1,5}$/;

/** LAB_HOP_ROUTES: a JSON object of "127.0.0.1:port" → "127.0.0.1:port"; unset or empty means no routing. */
export function parseRoutes(raw: string | undefined): HopRoutes | null {
  if (raw === undefined || raw === '') return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${ROUTES_VAR} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`${ROUTES_VAR} must be a JSON object of "127.0.0.1:port": "127.0.0.1:port"`);
  for (const [from, to] of Object.entries(v)) {
    if (!ADDRESS.test(from) || typeof to !== 'string' || !ADDRESS.test(to))
      throw new Error(
        `${ROUTES_VAR}: "${from}" → ${JSON.stringify(to)} is not "127.0.0.1:port" → "127.0.0.1:port"`,
      );
  }
  return v as HopRoutes;
}
