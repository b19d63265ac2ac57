// Inputs every target must survive with the contract's JSON error and never a 5xx: methods outside the spec,
// malformed HTTP, oversized headers and parameters. Used by each target's tests next to the fuzzer (fuzz.ts).
import { connect } from 'node:net';
import { errors, MESSAGES, unmatchedRoute } from '@lab/contract';

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
