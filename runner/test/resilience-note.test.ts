/** A learnings note from a resilience run: the manifest's header and the summary's tables, through `note`. */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { scaffoldNote } from '../src/notes/note.js';
import { RESILIENCE_MANIFEST } from '../src/resilience/manifest.js';
import { repoRoot } from '../src/lib/env-file.js';
import { resilienceManifest } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-rnote-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('note <run-id> on a fault run: header with budget and database, the table, the command', () => {
  cpSync(join(repoRoot(), 'learnings', 'templates'), join(dir, 'learnings', 'templates'), {
    recursive: true,
  });
  const runDir = join(dir, 'results', 'r1');
  mkdirSync(runDir, { recursive: true });
  const m = resilienceManifest({
    scenario: '10-fault-injection',
    target: 'micro',
    command: './run-benchmark.sh faults micro --runs 3',
    components: { database: 'FerretDB v1.24.2 on PostgreSQL 15' },
  });
  writeFileSync(join(runDir, RESILIENCE_MANIFEST), JSON.stringify(m));
  writeFileSync(
    join(runDir, 'summary.md'),
    '# r1: 10\n\n> **Run** x\n\n| target | victim |\n| --- | --- |\n| micro | reviews |\n',
  );
  const file = scaffoldNote({
    root: dir,
    resultsRoot: join(dir, 'results'),
    runIds: ['r1'],
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

test('note <run-id…>: one scenario run per target, a section each with its header and tables; mixed scenarios refused', () => {
  const write = (id: string, target: string, scenario: string) => {
    mkdirSync(join(dir, 'results', id), { recursive: true });
    const m = resilienceManifest({
      runId: id,
      target,
      scenario,
      command: `./run-benchmark.sh cold-start ${target}`,
    });
    writeFileSync(join(dir, 'results', id, RESILIENCE_MANIFEST), JSON.stringify(m));
    writeFileSync(
      join(dir, 'results', id, 'summary.md'),
      `# ${id}\n\n> **Run** x\n\n| target |\n| --- |\n| ${target} |\n`,
    );
  };
  write('c-harper', 'harper', '11-cold-start');
  write('c-mono', 'mono', '11-cold-start');
  write('f-mono', 'mono', '10-fault-injection');
  const options = {
    root: dir,
    resultsRoot: join(dir, 'results'),
    kind: 'qna',
    title: null,
    date: '2026-12-05',
  } as const;
  const text = readFileSync(scaffoldNote({ ...options, runIds: ['c-harper', 'c-mono'] }), 'utf8');
  assert.match(
    text,
    /^- Runs:\n {2}- \[`c-harper`\]\(\.\.\/\.\.\/results\/c-harper\/summary\.md\) \(complete\) — `\.\/run-benchmark\.sh cold-start harper`\n {2}- \[`c-mono`\]/m,
  );
  assert.match(text, /### harper\n\n> .*\n(> .*\n)*\n\| target \|\n\| --- \|\n\| harper \|/);
  assert.match(text, /### mono\n/);
  assert.match(text, /- harper: 1 cpu, cpuset 1, 2g \(read back from the cgroups\)\n- mono: /);
  assert.throws(
    () => scaffoldNote({ ...options, runIds: ['c-mono', 'f-mono'] }),
    /one scenario's runs, not 11-cold-start and 10-fault-injection/,
  );
  assert.throws(
    () => scaffoldNote({ ...options, runIds: ['c-mono', 'nothing'] }),
    /nothing is not a resilience run/,
  );
});
