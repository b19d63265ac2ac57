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

/** Decoded parameters when the path has the route's shape, else null. */
function matchPath(c: Compiled, parts: string[]): Record<string, string> | null {
  if (c.segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = c.segments[i]!;
    const part = parts[i]!;
    if (typeof seg === 'string') {
      if (seg !== part) return null;
      continue;
    }
    const value = part.length > 0 ? decode(part) : null;
    if (value === null) return null;
    params[seg.param] = value;
  }
  return params;
}

/**
 * Matches a method and a path (without query string). Returns null for unknown paths and for known paths with
 * another method (404 route-not-found and 405 method-not-allowed: see allowedMethods). A parameter that is not
 * valid percent-encoding makes the path unknown too.
 */
export function matchRoute(method: string, path: string): RouteMatch | null {
  const parts = path.split('/').slice(1);
  for (const c of COMPILED) {
    if (c.route.method !== method) continue;
    const params = matchPath(c, parts);
    if (params) return { route: c.route, params };
  }
  return null;
}

/**
 * The methods the contract defines on a path, for the `allow` header of a 405; empty for an unknown path (a
 * 404). A known path with a method not listed here is answered 405 method_not_allowed by every target.
 */
export function allowedMethods(path: string): string[] {
  const parts = path.split('/').slice(1);
  const methods = COMPILED.filter((c) => matchPath(c, parts) !== null).map((c) => c.route.method);
  return [...new Set(methods)].sort();
}

/** Splits a request target ("/a/b?x=1") into path and raw query (without "?"). */
export function splitTarget(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}
