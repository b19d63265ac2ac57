#!/usr/bin/env node
// Database setup as its own process: migrations, then seeding when the database lacks the dataset. main.ts runs
// it before serving, so the server's heap never holds the generated dataset (about 650 MB of RSS at scale 100,
// which V8 would not give back). Also usable alone: `node implementations/mono/dist/src/setup.js`.
import { readConfig, setLogLevel } from './config.js';
import { prepareDatabase } from './db/prepare.js';

try {
  const config = readConfig();
  setLogLevel(config.logLevel);
  await prepareDatabase(config);
  process.exit(0);
} catch (e) {
  process.stderr.write(`mono setup: ${(e as Error).message}\n`);
  process.exit(1);
}
