/** The run directory's format: file names, the cells that exist, what is missing, the typed readers, listing. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeJsonAtomic } from '../src/lib/files.js';
import { cellDir, manifestPath, runFileName, runNumbers } from '../src/results/layout.js';
import {
  cellDirs,
  defaultRun,
  listRuns,
  missingRunFiles,
  readManifest,
  readMonitoringFiles,
  readResourcesFile,
  readRunFile,
} from '../src/results/read.js';
import type { Manifest } from '../src/results/types.js';

let root: string;

function manifest(runId: string, createdAt: string, status: Manifest['status'], quick = false): Manifest {
  return {
    runId,
    createdAt,
    status,
    options: { targets: ['a', 'b'], scenarios: ['01-home', '03-pdp'], quick },
  } as unknown as Manifest;
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'lab-results-'));
  writeJsonAtomic(manifestPath(join(root, 'r1')), manifest('r1', '2026-01-01T00:00:00Z', 'complete'));
  writeJsonAtomic(manifestPath(join(root, 'r2')), manifest('r2', '2026-01-02T00:00:00Z', 'complete', true));
  writeJsonAtomic(manifestPath(join(root, 'r3')), manifest('r3', '2026-01-03T00:00:00Z', 'incomplete'));
  mkdirSync(join(root, 'not-a-run'));
  const cell = cellDir(join(root, 'r1'), 'b', '03-pdp');
  writeJsonAtomic(join(cell, runFileName(1, 'run')), { run: 1 });
  writeJsonAtomic(join(cell, runFileName(1, 'resources')), { run: 1 });
  writeJsonAtomic(join(cell, runFileName(2, 'run')), { run: 2 });
  writeJsonAtomic(join(cell, runFileName(2, 'monitoring')), { run: 2, steps: [] });
  writeFileSync(join(cell, 'run-xx.json'), '{}');
  mkdirSync(cellDir(join(root, 'r1'), 'a', '01-home'), { recursive: true });
});
after(() => rmSync(root, { recursive: true, force: true }));

test('file names and places', () => {
  assert.equal(runFileName(3, 'run'), 'run-03.json');
  assert.equal(runFileName(12, 'resources'), 'resources-12.json');
  assert.equal(runFileName(1, 'monitoring'), 'monitoring-01.json');
  assert.equal(cellDir('/r', 't', 's'), join('/r', 't', 's'));
  assert.equal(manifestPath('/r'), join('/r', 'manifest.json'));
});

test('run numbers of a cell: only run-NN.json counts, ascending; none for a missing directory', () => {
  assert.deepEqual(runNumbers(cellDir(join(root, 'r1'), 'b', '03-pdp')), [1, 2]);
  assert.deepEqual(runNumbers(join(root, 'nowhere')), []);
});

test('typed readers: the run file, the resources file or null', () => {
  const cell = cellDir(join(root, 'r1'), 'b', '03-pdp');
  assert.equal(readRunFile(cell, 2).run, 2);
  assert.equal(readResourcesFile(cell, 1)?.run, 1);
  assert.equal(readResourcesFile(cell, 2), null);
  assert.equal(readManifest(join(root, 'r1')).runId, 'r1');
});

test('the cells that exist, in the manifest order (scenario, then target)', () => {
  const m = readManifest(join(root, 'r1'));
  assert.deepEqual(
    cellDirs(join(root, 'r1'), m).map((c) => `${c.scenario}/${c.target}`),
    ['01-home/a', '03-pdp/b'],
  );
});

test('what a cell lacks: its run files, or the resources file of a run', () => {
  assert.equal(missingRunFiles(cellDir(join(root, 'r1'), 'a', '01-home')), 'no run-NN.json');
  assert.equal(missingRunFiles(cellDir(join(root, 'r1'), 'b', '03-pdp')), 'no resources-02.json');
});

test('monitoring files, each with its run file', () => {
  const files = readMonitoringFiles(join(root, 'r1'));
  assert.equal(files.length, 1);
  assert.equal(files[0]!.run?.run, 2);
});

test('listing: every run with a manifest, oldest first; the default is the last complete full run', () => {
  assert.deepEqual(
    listRuns(root).map((m) => m.runId),
    ['r1', 'r2', 'r3'],
  );
  assert.equal(defaultRun(root), 'r1');
  assert.deepEqual(listRuns(join(root, 'nowhere')), []);
  assert.throws(() => defaultRun(join(root, 'nowhere')), /no results in/);
});
