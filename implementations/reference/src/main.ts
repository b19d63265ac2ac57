#!/usr/bin/env node
import { generateDataset, Oracle, readLabEnv } from '@lab/contract';
import { createReferenceServer } from './server.js';

function fail(message: string): never {
  process.stderr.write(`reference: ${message}\n`);
  process.exit(1);
}

let env: ReturnType<typeof readLabEnv>;
try {
  env = readLabEnv();
} catch (e) {
  fail((e as Error).message);
}
const host = process.env['HOST'] ?? '127.0.0.1';
const portRaw = process.env['PORT'] ?? '8080';
if (!/^[0-9]+$/.test(portRaw) || Number(portRaw) > 65535) fail(`PORT must be 0-65535, got "${portRaw}"`);

const t0 = performance.now();
const oracle = new Oracle(generateDataset({ seed: env.seed, scale: env.scale }), {
  target: 'reference',
  adminToken: env.adminToken,
});
const loadMs = performance.now() - t0;
const { server } = createReferenceServer(oracle);

server.on('error', (err) => fail(`cannot listen on ${host}:${portRaw}: ${err.message}`));
server.listen(Number(portRaw), host, () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : portRaw;
  process.stdout.write(
    `reference listening on http://${host}:${port} (seed ${env.seed}, scale ${env.scale}, ` +
      `${oracle.catalog.dataset.products.length} products, dataset ready in ${loadMs.toFixed(0)} ms)\n`,
  );
});

function shutdown(signal: string): void {
  process.stdout.write(`reference: ${signal}, closing\n`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
