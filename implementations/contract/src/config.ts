import { DEFAULT_SCALE, DEFAULT_SEED, datasetOptions } from './dataset/generate.js';

export interface LabEnv {
  seed: number;
  scale: number;
  adminToken: string;
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

/**
 * The settings every target shares, from the environment (docker-compose.yml passes them from .env):
 * LAB_SEED, LAB_SCALE and LAB_ADMIN_TOKEN. Throws an Error with a one-line message when one is unusable.
 */
export function readLabEnv(env: NodeJS.ProcessEnv = process.env): LabEnv {
  const adminToken = env['LAB_ADMIN_TOKEN'] ?? '';
  if (adminToken.length < 8) {
    throw new Error('LAB_ADMIN_TOKEN must be set to at least 8 characters (see .env)');
  }
  let options: { seed: number; scale: number };
  try {
    options = datasetOptions({
      seed: intVar(env, 'LAB_SEED', DEFAULT_SEED),
      scale: intVar(env, 'LAB_SCALE', DEFAULT_SCALE),
    });
  } catch (e) {
    throw new Error(`LAB_SEED/LAB_SCALE: ${(e as Error).message}`, { cause: e });
  }
  return { ...options, adminToken };
}
