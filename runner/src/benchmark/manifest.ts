/**
 * What every result must name: the commit, the host, the versions of what ran (Node, k6, Harper, the
 * frameworks, and which database server: FerretDB is not MongoDB), the options and the budget read back.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { LabTarget } from '../lab/compose.js';
import { findTool, mongoServerKind, type ToolContext, type ToolInfo } from '../lab/tools.js';
import { labEnv } from '../lib/env-file.js';
import { type MachineInfo, machineInfo } from '../lib/machine.js';
import { type Manifest, type RunOptions, SCHEMA_VERSION } from '../results/types.js';
import type { PlannedScenario } from '../scenarios/plan.js';

export function gitInfo(root: string): { commit: string | null; dirty: boolean | null } {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0) return { commit: null, dirty: null };
  const st = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: root,
    encoding: 'utf8',
  });
  return { commit: head.stdout.trim(), dirty: st.status === 0 ? st.stdout.trim() !== '' : null };
}

/** The installed version of an npm package as seen from a workspace (null when it is not installed). */
export function packageVersion(root: string, workspace: string, pkg: string): string | null {
  try {
    const req = createRequire(join(root, workspace, 'package.json'));
    const file = req.resolve(`${pkg}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    // Packages without "./package.json" in their exports: walk node_modules directly.
    for (const dir of [join(root, workspace, 'node_modules'), join(root, 'node_modules')]) {
      try {
        return (
          (JSON.parse(readFileSync(join(dir, pkg, 'package.json'), 'utf8')) as { version?: string })
            .version ?? null
        );
      } catch {
        /* next */
      }
    }
    return null;
  }
}

/** The server runner/bin/mongo-server runs for micro natively (LAB_MONGO_SERVER), named as what it is. */
function nativeMongoServer(root: string, ctx: ToolContext): string {
  let kind: ReturnType<typeof mongoServerKind>;
  try {
    kind = mongoServerKind(ctx);
  } catch (e) {
    return `no usable MongoDB-protocol server: ${(e as Error).message}`;
  }
  const tool = findTool(kind, ctx);
  if (!tool) return `${kind} not found`;
  const version = tool.version ?? '(version unknown)';
  if (kind === 'mongod') return `MongoDB ${version} (mongod from ${tool.source})`;
  if (kind === 'mongo-java-server')
    return `mongo-java-server ${version} (memory), not MongoDB — MongoDB wire protocol, reports 6.0; only unique indexes are built`;
  // The backend runner/bin/mongo-server starts FerretDB on (its default when .env does not say).
  const backend = labEnv(root)['LAB_FERRETDB_BACKEND'] || 'postgresql';
  const pg = backend === 'postgresql' ? findTool('postgres', ctx) : null;
  const on = backend === 'postgresql' ? `PostgreSQL ${pg?.version ?? '(version unknown)'}` : 'SQLite';
  return `FerretDB ${version} on ${on} — MongoDB wire protocol, NOT MongoDB`;
}

/** Versions of the software behind one target, as run in this mode. */
export function targetComponents(
  root: string,
  target: LabTarget,
  mode: 'native' | 'docker',
  ctx: ToolContext,
): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: string | null | undefined) => {
    if (v) out[k] = v;
  };
  // microlith runs micro's modules, and so micro's dependencies (its Fastify, its driver).
  const ws = `implementations/${target.name === 'microlith' ? 'micro' : target.name}`;
  switch (target.name) {
    case 'harper':
      put('harperdb', packageVersion(root, ws, 'harperdb'));
      break;
    case 'micro':
    case 'microlith': {
      put('fastify', packageVersion(root, ws, 'fastify'));
      put('mongodb driver', packageVersion(root, ws, 'mongodb'));
      if (mode === 'docker') put('database', 'MongoDB (mongo:8.0 image)');
      else put('database', nativeMongoServer(root, ctx));
      break;
    }
    case 'mono': {
      put('express', packageVersion(root, ws, 'express'));
      put('prisma', packageVersion(root, ws, 'prisma') ?? packageVersion(root, ws, '@prisma/client'));
      if (mode === 'docker') put('database', 'PostgreSQL 16 (postgres:16 image)');
      else {
        const pg = findTool('postgres', ctx);
        put(
          'database',
          pg ? `PostgreSQL ${pg.version ?? '(version unknown)'} (Debian package)` : 'PostgreSQL not found',
        );
      }
      break;
    }
    case 'reference':
      put('server', 'node:http over the in-memory oracle');
      break;
  }
  return out;
}

/** What a new run's manifest is made from. */
export interface NewManifest {
  root: string;
  runId: string;
  command: string;
  options: RunOptions;
  targets: LabTarget[];
  scenarios: PlannedScenario[];
  k6: ToolInfo;
  loadgen: Manifest['loadgen'];
  tools: ToolContext;
  /** Read once when the run starts (tests pass their own). */
  host?: MachineInfo;
  git?: Manifest['git'];
}

/** A new run's manifest.json, status "running", no session yet: the one constructor of the run record. */
export function newBenchmarkManifest(n: NewManifest): Manifest {
  const now = new Date().toISOString();
  const mode = n.options.mode;
  return {
    schema: SCHEMA_VERSION,
    runId: n.runId,
    status: 'running',
    reason: null,
    createdAt: now,
    updatedAt: now,
    command: n.command,
    options: n.options,
    git: n.git ?? gitInfo(n.root),
    host: n.host ?? machineInfo(),
    versions: { node: process.version, k6: n.k6.version, 'k6 source': n.k6.source },
    loadgen: n.loadgen,
    targets: Object.fromEntries(
      n.targets.map((t) => [
        t.name,
        {
          profile: t.profile,
          url: t.url,
          mode,
          budget: null,
          components: targetComponents(n.root, t, mode, n.tools),
          verify: null,
        },
      ]),
    ),
    plan: n.scenarios.map((p) => ({
      name: p.entry.name,
      title: p.entry.profile.title,
      model: p.entry.profile.model,
      slo: p.entry.profile.slo ?? null,
      steps: p.steps,
    })),
    sessions: [],
  };
}
