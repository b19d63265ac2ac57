import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

/** The repository root (where docker-compose.yml and .env live), found from this file's location. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'docker-compose.yml')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('cannot find the repository root (no docker-compose.yml above runner/)');
    dir = up;
  }
}

/** The committed defaults in .env, overridden by the process environment (as docker compose does). */
export function labEnv(root: string = repoRoot()): Record<string, string> {
  const file = join(root, '.env');
  const fromFile = existsSync(file) ? (parseEnv(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const merged: Record<string, string> = { ...fromFile };
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && (k in fromFile || k.startsWith('LAB_'))) merged[k] = v;
  }
  return merged;
}
