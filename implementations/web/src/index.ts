// What every target imports to serve the storefront next to the API, framework-agnostically:
//   webAsset(method, path)  GET/HEAD of "/" and of the built files (Vite's output in dist/ui), read into memory once
//   preflight(method, path) the 204 answer to a CORS preflight (OPTIONS) on a contract path
//   CORS_HEADERS            the headers every API response carries so that the UI's architecture toggle can call
//                           another target cross-origin and read its server-timing header
// Targets call webAsset/preflight only for requests the contract's route table did not match, so neither touches
// the API's hot path, and no API response body changes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '@lab/contract';

/** A complete answer: status, headers (content-length included), and the body (undefined for HEAD and 204). */
export interface WebResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/**
 * On every API response (a constant object; targets spread or set these three keys). `timing-allow-origin` lets the
 * page read the Resource Timing entries of cross-origin calls too.
 */
export const CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'server-timing',
  'timing-allow-origin': '*',
});

/** Where Vite writes the storefront (implementations/web/dist/ui), next to this module's compiled dir. */
export const UI_DIR = fileURLToPath(new URL('../ui/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

interface Entry {
  get: WebResponse;
  head: WebResponse;
}

function entry(status: number, type: string, cacheControl: string, body: Buffer): Entry {
  const headers = {
    'content-type': type,
    'content-length': String(body.length),
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
  };
  return { get: { status, headers, body }, head: { status, headers, body: undefined } };
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    // Vite's .vite/manifest.json and any other dotfile stay private.
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const NOT_BUILT_HTML = Buffer.from(
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Storefront not built</title>' +
    '<p>The storefront has not been built. Run <code>npm run build</code> (or ' +
    '<code>npm run build -w implementations/web</code>) and restart this target.</p></html>\n',
);

/** Reads every built file into memory: path → precomputed responses. Exported for tests (another dir). */
export function loadAssets(dir: string = UI_DIR): Map<string, Entry> {
  const assets = new Map<string, Entry>();
  let files: string[];
  try {
    files = walk(dir, []);
  } catch {
    files = [];
  }
  for (const file of files) {
    const urlPath = `/${relative(dir, file).split(sep).join('/')}`;
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    // Vite puts content-hashed names under /assets/: cache them for good; everything else is revalidated.
    const cache = urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    assets.set(urlPath, entry(200, type, cache, readFileSync(file)));
  }
  const index = assets.get('/index.html');
  assets.set('/', index ?? entry(503, 'text/html; charset=utf-8', 'no-store', NOT_BUILT_HTML));
  return assets;
}

// Read once, when a target imports this module: no request ever waits for the disk.
const assets = loadAssets();

/** True when the built storefront was found (dist/ui/index.html). */
export function uiBuilt(): boolean {
  return assets.has('/index.html');
}

/**
 * Every path webAsset answers ("/", "/index.html", "/assets/…"), for routers that register routes up front (the
 * micro BFF's Fastify) instead of asking webAsset for unmatched requests.
 */
export function webPaths(): string[] {
  return [...assets.keys()];
}

/** A copy, so that a server that adds headers to a response object never alters the shared one. */
function copy(r: WebResponse): WebResponse {
  return { status: r.status, headers: { ...r.headers }, body: r.body };
}

/**
 * The storefront's answer to GET or HEAD of "/" or of a built file (path without the query string), or null: the
 * caller then answers as it would without the UI (the contract's 404).
 */
export function webAsset(method: string, path: string): WebResponse | null {
  if (method !== 'GET' && method !== 'HEAD') return null;
  const e = assets.get(path);
  if (e === undefined) return null;
  return copy(method === 'GET' ? e.get : e.head);
}

// ---- CORS preflight ---------------------------------------------------------------------------------------------

interface Template {
  segments: (string | null)[];
  response: WebResponse;
}

const PREFLIGHT_TEMPLATES: Template[] = (() => {
  const byTemplate = new Map<string, Set<string>>();
  for (const r of ROUTES) {
    const set = byTemplate.get(r.template) ?? new Set<string>();
    set.add(r.method);
    byTemplate.set(r.template, set);
  }
  return [...byTemplate].map(([template, methods]) => ({
    segments: template
      .split('/')
      .slice(1)
      .map((s) => (s.startsWith('{') ? null : s)),
    response: {
      status: 204,
      headers: {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': [...methods, 'OPTIONS'].join(', '),
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
        'timing-allow-origin': '*',
      },
      body: undefined,
    },
  }));
})();

/**
 * The answer to a CORS preflight: OPTIONS on a path of the contract (any of its methods) is a 204 that allows the
 * path's methods and a JSON content-type; anything else is null (the caller's 404).
 */
export function preflight(method: string, path: string): WebResponse | null {
  if (method !== 'OPTIONS') return null;
  const parts = path.split('/').slice(1);
  for (const t of PREFLIGHT_TEMPLATES) {
    if (t.segments.length !== parts.length) continue;
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const seg = t.segments[i];
      ok = seg === null ? parts[i]!.length > 0 : seg === parts[i];
    }
    if (ok) return copy(t.response);
  }
  return null;
}
