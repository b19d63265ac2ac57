/** A learnings note from a resilience run: the manifest's header and the summary's tables, through `note`. */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { scaffoldNote } from '../src/notes/note.js';
import { RESILIENCE_MANIFEST, type ResilienceManifest } from '../src/resilience/manifest.js';
import { repoRoot } from '../src/lib/env-file.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-rnote-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('note <run-id> on a fault run: header with budget and database, the table, the command', () => {
  cpSync(join(repoRoot(), 'learnings', 'templates'), join(dir, 'learnings', 'templates'), {
    recursive: true,
  });
  const runDir = join(dir, 'results', 'r1');
  mkdirSync(runDir, { recursive: true });
  const m: ResilienceManifest = {
    kind: 'resilience',
    runId: 'r1',
    scenario: '10-fault-injection',
    target: 'micro',
    status: 'complete',
    reason: null,
    command: './run-benchmark.sh faults micro --runs 3',
    startedAt: '2026-12-04T17:00:00.000Z',
    finishedAt: '2026-12-04T17:30:00.000Z',
    machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 24, node: 'v20.20.2', kernel: '6.1' },
    git: { commit: '0123456789abcdef', dirty: false },
    components: { database: 'FerretDB v1.24.2 on PostgreSQL 15' },
    budget: { cpus: 1, cpuset: '1', memoryBytes: 2 ** 31 },
    options: {},
    failures: [],
  };
  writeFileSync(join(runDir, RESILIENCE_MANIFEST), JSON.stringify(m));
  writeFileSync(
    join(runDir, 'summary.md'),
    '# r1: 10\n\n> **Run** x\n\n| target | victim |\n| --- | --- |\n| micro | reviews |\n',
  );
  const file = scaffoldNote({
    root: dir,
    resultsRoot: join(dir, 'results'),
    runId: 'r1',
    kind: 'qna',
    title: null,
    date: '2026-12-04',
  });
  const text = readFileSync(file, 'utf8');
  assert.match(file, /learnings\/qna\/2026-12-04-micro-10-fault-injection\.md$/);
  assert.match(text, /\| micro \| reviews \|/);
  assert.match(text, /\*\*budget \(read back\)\*\* 1 cpu, cpuset 1, 2g/);
  assert.match(text, /FerretDB v1\.24\.2 on PostgreSQL 15/);
  assert.match(text, /`\.\/run-benchmark\.sh faults micro --runs 3`/);
  assert.equal(text.match(/> \*\*Run\*\* x/), null, "the summary's own header is not repeated");
});
