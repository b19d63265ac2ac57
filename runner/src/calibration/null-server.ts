/**
 * The null endpoint: a node:http server that answers every request with the same small JSON, doing no work of
 * its own. k6 driven against it shows the load generator's own ceiling on this machine (calibration): a target
 * served at a large share of that ceiling is measuring k6, not itself.
 *
 * Run alone: node runner/dist/src/calibration/null-server.js [port] (prints "listening <port>" once bound).
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';

/** What every request gets; scenarios in calibration mode (LAB_CALIBRATION=1) check for exactly this. */
export const NULL_BODY = '{"status":"ok","target":"null"}';

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(Buffer.byteLength(NULL_BODY)),
};

export function nullServer(): Server {
  const server = createServer((req, res) => {
    // Drain any request body (05's POSTs) so keep-alive connections stay usable.
    req.resume();
    req.on('end', () => {
      res.writeHead(200, HEADERS);
      res.end(NULL_BODY);
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const raw = process.argv[2] ?? '0';
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    process.stderr.write(`usage: null-server.js [port], got "${raw}"\n`);
    process.exit(2);
  }
  const server = nullServer();
  const port = await listen(server, Number(raw));
  process.stdout.write(`listening ${port}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
