export interface HttpRequest {
  method: string;
  /** Path and query, e.g. "/api/search?q=lamp". */
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  contentType: string | null;
  serverTiming: string | null;
  /** Every response header, lower-case names. */
  headers: Record<string, string>;
  text: string;
  ms: number;
}

/** One request with a hard timeout; a network failure is reported as status 0 with the error as text. */
export async function send(baseUrl: string, req: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  const t0 = performance.now();
  // Set once the headers arrived: a body that stalls after them is told apart from no answer at all.
  let headStatus: number | null = null;
  try {
    const init: RequestInit = {
      method: req.method,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    };
    if (req.headers) init.headers = req.headers;
    // Bytes, not a string: fetch would add "content-type: text/plain" to a string body on its own.
    if (req.body !== undefined) init.body = Buffer.from(req.body);
    const res = await fetch(baseUrl + req.url, init);
    headStatus = res.status;
    const text = await res.text();
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      serverTiming: res.headers.get('server-timing'),
      headers: Object.fromEntries(res.headers.entries()),
      text,
      ms: performance.now() - t0,
    };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const cause = err.cause?.message ?? err.message;
    const why =
      headStatus !== null
        ? `answered ${headStatus}, then its body did not arrive${err.name === 'TimeoutError' ? ` within ${timeoutMs} ms` : `: ${cause}`}`
        : err.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : cause;
    return {
      status: 0,
      contentType: null,
      serverTiming: null,
      headers: {},
      text: why,
      ms: performance.now() - t0,
    };
  }
}
