// Inputs every target must survive with the contract's JSON error and never a 5xx: methods outside the spec,
// malformed HTTP, oversized headers and parameters. Used by each target's tests next to the fuzzer (fuzz.ts).
import { connect } from 'node:net';
import { Catalog, errors, generateDataset, MESSAGES, unmatchedRoute } from '@lab/contract';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes raw bytes to the target and reads until the server closes the connection (or 10 s). */
function rawExchange(baseUrl: string, bytes: string): Promise<RawAnswer> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.write(bytes));
    let text = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (b) => {
      text += b.toString('latin1');
    });
    socket.once('error', reject);
    socket.once('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body });
    });
  });
}

const MALFORMED = JSON.stringify(errors.badRequest(MESSAGES.malformedRequest).body);

function expectBody(what: string, got: RawAnswer | Response, status: number, text: string, want: string) {
  const problems: string[] = [];
  if (got.status !== status) problems.push(`${what}: status ${got.status}, expected ${status}`);
  if (text !== want) problems.push(`${what}: body ${text.slice(0, 200)}, expected ${want}`);
  return problems;
}

/** Every problem found; [] when the target answers all probes as the contract says. */
export async function probeRobustness(baseUrl: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [method, path] of [
    ['QUERY', '/api/carts/0'],
    ['DELETE', '/api/products/1'],
    ['PUT', '/api/carts'],
    ['PATCH', '/api/admin/reset'],
  ] as const) {
    const r = await fetch(baseUrl + path, { method, signal: AbortSignal.timeout(10_000) });
    const u = unmatchedRoute(path);
    problems.push(...expectBody(`${method} ${path}`, r, 405, await r.text(), JSON.stringify(u.body)));
    if (r.headers.get('allow') !== u.allow)
      problems.push(`${method} ${path}: allow "${r.headers.get('allow')}", expected "${u.allow}"`);
  }
  const long = 'a'.repeat(8000);
  for (const [path, error] of [
    [`/api/categories/${long}/products`, errors.categoryNotFound()],
    [`/api/carts/${long}`, errors.cartNotFound()],
    [`/api/products/${'9'.repeat(8000)}`, errors.productNotFound()],
  ] as const) {
    const r = await fetch(baseUrl + path, { signal: AbortSignal.timeout(10_000) });
    problems.push(
      ...expectBody(`GET ${path.slice(0, 40)}…`, r, 404, await r.text(), JSON.stringify(error.body)),
    );
  }
  for (const [what, bytes] of [
    ['a header line without a colon', 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
    ['headers over 64 KiB', `GET /health HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(70_000)}\r\n\r\n`],
  ] as const) {
    const r = await rawExchange(baseUrl, bytes);
    problems.push(...expectBody(what, r, 400, r.body, MALFORMED));
  }
  return problems;
}

/**
 * One cart with `lines` distinct products (those of most stock value first), each bought out entirely, checked
 * out: more lines than any internal page or batch size, and a total past 2^31 cents (a 32-bit column). Returns
 * the problems ([] when the order is the oracle's), then resets the target (the stock is gone).
 */
export async function probeBigOrder(baseUrl: string, adminToken: string, lines = 120): Promise<string[]> {
  const catalog = new Catalog(generateDataset());
  const picked = catalog
    .allFacts()
    .map((f) => ({
      id: f.product.id,
      price: f.price.amount,
      stock: catalog.initialStock.get(f.product.id) ?? 0,
    }))
    .sort((a, b) => b.price * b.stock - a.price * a.stock || a.id - b.id)
    .slice(0, lines);
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const cart = (await call('POST', '/api/carts')).body['id'] as string;
  for (const p of picked) {
    for (let left = p.stock; left > 0; left -= 99) {
      const r = await call('POST', `/api/carts/${cart}/items`, {
        productId: p.id,
        quantity: Math.min(99, left),
      });
      if (r.status !== 200) return [`adding product ${p.id}: ${r.status} ${JSON.stringify(r.body)}`];
    }
  }
  const order = await call('POST', `/api/carts/${cart}/checkout`);
  const want = picked.reduce((sum, p) => sum + p.price * p.stock, 0);
  const problems: string[] = [];
  if (order.status !== 201) problems.push(`checkout: ${order.status} ${JSON.stringify(order.body)}`);
  else if ((order.body['total'] as { amount: number }).amount !== want)
    problems.push(`total ${JSON.stringify(order.body['total'])}, expected ${want} cents`);
  if (want <= 2 ** 31) problems.push(`the probe's total ${want} does not pass 2^31: pick more lines`);
  const reset = await fetch(`${baseUrl}/api/admin/reset`, {
    method: 'POST',
    headers: { 'x-lab-token': adminToken },
  });
  if (reset.status !== 204) problems.push(`reset after the probe: ${reset.status}`);
  return problems;
}
