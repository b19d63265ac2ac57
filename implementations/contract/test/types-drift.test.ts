import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('../..', import.meta.url));

test('src/types.gen.ts is exactly what openapi-typescript generates from openapi.yaml', () => {
  const require = createRequire(join(pkg, 'package.json'));
  const cli = join(require.resolve('openapi-typescript/package.json'), '..', 'bin', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'lab-types-'));
  try {
    const out = join(dir, 'types.gen.ts');
    execFileSync(process.execPath, [cli, 'openapi.yaml', '-o', out], { cwd: pkg, stdio: 'pipe' });
    assert.equal(
      readFileSync(join(pkg, 'src', 'types.gen.ts'), 'utf8'),
      readFileSync(out, 'utf8'),
      'types.gen.ts drifted from openapi.yaml: run `npm run gen:types -w implementations/contract`',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
