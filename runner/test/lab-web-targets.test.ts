/** The storefront's target list is docker-compose.yml's, never a copy typed by hand. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCompose } from '../src/lab/compose.js';
import { renderWebTargets, WEB_TARGETS_FILE, webTargets } from '../src/lab/web-targets.js';
import { repoRoot } from '../src/lib/env-file.js';

const root = repoRoot();
const compose = loadCompose(root);

test('the generated file is exactly what compose gives (npm run gen:web-targets rewrites it)', () => {
  assert.equal(readFileSync(join(root, WEB_TARGETS_FILE), 'utf8'), renderWebTargets(compose));
});

test('every target has a label, a summary and the port of its url', () => {
  const list = webTargets(compose);
  assert.deepEqual(
    list.map((t) => t.id),
    compose.targets.map((t) => t.name),
  );
  for (const t of list) {
    assert.ok(t.label && t.summary, `${t.id} needs a label and a summary in x-lab-targets`);
    assert.equal(t.url, `http://127.0.0.1:${t.port}`);
  }
});
