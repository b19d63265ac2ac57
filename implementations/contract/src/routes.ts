/** The contract's routes, one table shared by the oracle, the reference server, the verify suite and targets. */
export type RouteName =
  | 'health'
  | 'metrics'
  | 'home'
  | 'categoryProducts'
  | 'product'
  | 'search'
  | 'createCart'
  | 'getCart'
  | 'addCartItem'
  | 'checkout'
  | 'reset';

export interface RouteDef {
  name: RouteName;
  method: 'GET' | 'POST';
  /** OpenAPI path template, e.g. /api/products/{id}. */
  template: string;
}

export const ROUTES: readonly RouteDef[] = [
  { name: 'health', method: 'GET', template: '/health' },
  { name: 'metrics', method: 'GET', template: '/metrics' },
  { name: 'home', method: 'GET', template: '/api/home' },
  { name: 'categoryProducts', method: 'GET', template: '/api/categories/{slug}/products' },
  { name: 'product', method: 'GET', template: '/api/products/{id}' },
  { name: 'search', method: 'GET', template: '/api/search' },
  { name: 'createCart', method: 'POST', template: '/api/carts' },
  { name: 'getCart', method: 'GET', template: '/api/carts/{id}' },
  { name: 'addCartItem', method: 'POST', template: '/api/carts/{id}/items' },
  { name: 'checkout', method: 'POST', template: '/api/carts/{id}/checkout' },
  { name: 'reset', method: 'POST', template: '/api/admin/reset' },
];

export interface RouteMatch {
  route: RouteDef;
  /** Decoded path parameters. */
  params: Record<string, string>;
}

interface Compiled {
  route: RouteDef;
  segments: (string | { param: string })[];
}

const COMPILED: Compiled[] = ROUTES.map((route) => ({
  route,
  segments: route.template
    .split('/')
    .slice(1)
    .map((s) => (s.startsWith('{') ? { param: s.slice(1, -1) } : s)),
}));

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * Matches a method and a path (without query string). Returns null for unknown paths and for known paths with
 * another method: both are 404 route-not-found in the contract. A parameter that is not valid percent-encoding
 * makes the path unknown too.
 */
export function matchRoute(method: string, path: string): RouteMatch | null {
  const parts = path.split('/').slice(1);
  for (const c of COMPILED) {
    if (c.route.method !== method || c.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const seg = c.segments[i]!;
      const part = parts[i]!;
      if (typeof seg === 'string') ok = seg === part;
      else {
        const value = part.length > 0 ? decode(part) : null;
        if (value === null) ok = false;
        else params[seg.param] = value;
      }
    }
    if (ok) return { route: c.route, params };
  }
  return null;
}

/** Splits a request target ("/a/b?x=1") into path and raw query (without "?"). */
export function splitTarget(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}
