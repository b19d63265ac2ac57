import { ConfigError, type ProcessConfig, readConfig } from '../lib/config.js';
import { listenAndServe } from '../lib/http.js';
import { createBff } from './app.js';

export async function startBff(): Promise<void> {
  let cfg: ProcessConfig;
  try {
    cfg = readConfig('bff');
  } catch (e) {
    process.stderr.write(`micro-bff: ${(e as Error).message}\n`);
    process.exit(e instanceof ConfigError ? 1 : 2);
  }
  const bff = await createBff(cfg);
  const services = Object.entries(cfg.urls)
    .map(([s, u]) => `${s}=${u}`)
    .join(' ');
  try {
    await listenAndServe(
      cfg,
      bff.app,
      bff.close,
      `${services}; timeout ${cfg.upstream.timeoutMs} ms, ${cfg.upstream.connections} connections per service`,
    );
  } catch (e) {
    process.stderr.write(`micro-bff: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
