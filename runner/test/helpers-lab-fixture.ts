/**
 * A throwaway lab root whose docker-compose.yml runs the real reference server under a profile of its own (a
 * unique name, so its cgroups `lab/<profile>` never meet another engineer's) on a free port: fault and restart
 * tests run a real target through the real launcher and cgroups without touching the shared ports.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/lib/net.js';
import { TOKEN } from './helpers.js';

const REFERENCE_MAIN = fileURLToPath(
  new URL('../../../implementations/reference/dist/src/main.js', import.meta.url),
);

export interface LabFixture {
  root: string;
  profile: string;
  url: string;
}

/**
 * `command` replaces the reference server's argv (e.g. a process that fails to start). Profile `loadgen` has k6's
 * cgroup, for fault runs driven by the real k6.
 */
export async function referenceLabFixture(restart: string, command?: string[]): Promise<LabFixture> {
  const root = mkdtempSync(join(tmpdir(), 'lab-faults-'));
  const profile = `faulttest${process.pid}`;
  const port = await freePort();
  writeFileSync(
    join(root, '.env'),
    'LAB_CPUS=1\nLAB_MEMORY=512m\nLAB_SUT_CPUSET=1\nLAB_LOADGEN_CPUSET=0\nLAB_SEED=42\nLAB_SCALE=1\n',
  );
  writeFileSync(
    join(root, 'docker-compose.yml'),
    `
x-lab-targets:
  ${profile}: { profile: ${profile}, url: "http://127.0.0.1:${port}" }
services:
  app:
    image: x
    profiles: [${profile}]
    restart: ${JSON.stringify(restart)}
    cpuset: \${LAB_SUT_CPUSET}
    mem_limit: \${LAB_MEMORY}
    healthcheck: { test: [CMD, "true"], interval: 1s, retries: 10 }
    environment:
      PORT: "${port}"
      HOST: 127.0.0.1
      LAB_ADMIN_TOKEN: ${TOKEN}
      LAB_SEED: \${LAB_SEED}
      LAB_SCALE: \${LAB_SCALE}
    x-native:
      command: ${JSON.stringify(command ?? [process.execPath, REFERENCE_MAIN])}
      health: { url: "http://127.0.0.1:${port}/health" }
  k6:
    image: x
    profiles: [loadgen]
    cpuset: \${LAB_LOADGEN_CPUSET}
    x-native: { command: [k6, version], oneshot: true }
`,
  );
  return { root, profile, url: `http://127.0.0.1:${port}` };
}
