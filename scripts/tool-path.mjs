#!/usr/bin/env node
// Prints the path of each lab tool named (k6, mongo-java-server, …), one per line, installing it the way
// `./lab doctor --install` would when it is missing: for the diagnosis scripts beside this one.
//   usage: node scripts/tool-path.mjs <tool>...   (needs the runner built: npm run build)
import { LabPaths } from '../runner/dist/src/lab/paths.js';
import { ensureTool } from '../runner/dist/src/lab/tools.js';

const ctx = {
  paths: new LabPaths(process.cwd()),
  env: process.env,
  log: (l) => process.stderr.write(`${l}\n`),
};
for (const name of process.argv.slice(2)) process.stdout.write(`${(await ensureTool(name, ctx)).path}\n`);
