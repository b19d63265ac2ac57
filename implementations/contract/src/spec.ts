import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of openapi.yaml, for tools that read the spec (the verify suite, the type-drift test). */
export const OPENAPI_PATH = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));

export function readOpenApiText(): string {
  return readFileSync(OPENAPI_PATH, 'utf8');
}
