/** What every learnings note shares: its file name and the template filler that refuses unknown placeholders. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fill, NOTE_DIRS, slug } from '../src/notes/template.js';

test('slugs are short, lower case, dashes only; an empty title still names a file', () => {
  assert.equal(slug('Is the gap larger? 5 ms per hop!'), 'is-the-gap-larger-5-ms-per-hop');
  assert.equal(slug('???'), 'note');
  assert.equal(slug('x'.repeat(80)).length, 60);
});

test('fill replaces every placeholder and refuses one the code does not know', () => {
  assert.equal(fill('{{a}} and {{b}}', { a: '1', b: '2' }), '1 and 2');
  assert.throws(() => fill('{{missing}}', { a: '1' }), /placeholder \{\{missing\}\} is unknown/);
});

test('each kind of note has its folder', () => {
  assert.deepEqual(NOTE_DIRS, { qna: 'qna', retrospective: 'retrospectives', topic: 'topics' });
});
