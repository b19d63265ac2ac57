#!/usr/bin/env node
// One of micro's services with its GET handlers replayed: the first call of each distinct request (route, params,
// query) runs the real handler (database and business code) and its answer is kept; every later call returns the
// kept answer. Everything else is micro's own: runService, createApp, mountRoutes, the response schemas, the
// deadline check, /health and /metrics. So a page served through replaying services costs what the architecture's
// plumbing costs (six processes, HTTP hops, Fastify, serialisation) without the work the plumbing carries: the
// floor micro's Node side can reach on this machine (docs/implementations/micro.md, "The plumbing's floor").
// SIGUSR2 writes "replay <name> hits=<n> misses=<n>" to stderr, so a harness can read how much it replayed.
//   usage: node scripts/micro-replay-service.mjs <micro-dist-dir> <catalog|pricing|inventory|reviews|orders>
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, name] = process.argv.slice(2);
const SERVICES = ['catalog', 'pricing', 'inventory', 'reviews', 'orders'];
if (!dist || !SERVICES.includes(name)) {
  process.stderr.write(`usage: micro-replay-service.mjs <micro-dist-dir> <${SERVICES.join('|')}>\n`);
  process.exit(2);
}
const load = (file) => import(pathToFileURL(resolve(dist, 'src', file)).href);
const { runService } = await load('lib/service.js');
const micro = await load('index.js');
// orders is built over its HTTP backend (its saga calls inventory and pricing), as startOrders does.
const factory = name === 'orders' ? micro.ordersService(micro.httpOrdersBackend) : micro[`${name}Service`];

let hits = 0;
let misses = 0;
process.on('SIGUSR2', () => process.stderr.write(`replay ${name} hits=${hits} misses=${misses}\n`));

function replayed(route) {
  if (route.method !== 'GET') return route;
  const kept = new Map();
  return {
    ...route,
    handler: async (input) => {
      const key = `${JSON.stringify(input.params)}?${input.query}`;
      const answer = kept.get(key);
      if (answer) {
        hits++;
        return answer;
      }
      misses++;
      const fresh = await route.handler(input);
      kept.set(key, fresh);
      return fresh;
    },
  };
}

await runService(name, async (cfg, store, app) => {
  const parts = await factory(cfg, store, app);
  return { ...parts, routes: parts.routes.map(replayed) };
});
