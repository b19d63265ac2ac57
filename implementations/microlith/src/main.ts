#!/usr/bin/env node
import { ConfigError, listenAndServe } from '@lab/micro';
import { createMicrolith, TARGET } from './app.js';

try {
  const m = await createMicrolith();
  await listenAndServe(
    m.cfg,
    m.app,
    m.close,
    `${TARGET}: micro's services and BFF in one process; ${m.banner}`,
  );
} catch (e) {
  process.stderr.write(`${TARGET}: ${(e as Error).message}\n`);
  process.exit(e instanceof ConfigError ? 1 : 2);
}
