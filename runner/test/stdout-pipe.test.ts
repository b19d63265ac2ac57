/** A reader that closes the pipe early (`./lab status | head`) ends the listing, never with an EPIPE stack trace. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../src/lib/env-file.js';
import { dropWritesOnClosedStdout } from '../src/lib/stdout.js';

function fakeStdout() {
  const out = new EventEmitter() as EventEmitter & { write: (s: string) => boolean; written: string[] };
  out.written = [];
  out.write = (s: string) => {
    out.written.push(s);
    return true;
  };
  return out;
}

test('after EPIPE, writes are dropped; any other error still throws', () => {
  const out = fakeStdout();
  dropWritesOnClosedStdout(out as unknown as NodeJS.WriteStream);
  out.write('a');
  out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  assert.equal(out.write('b'), true);
  assert.deepEqual(out.written, ['a']);
  const other = fakeStdout();
  dropWritesOnClosedStdout(other as unknown as NodeJS.WriteStream);
  assert.throws(() => other.emit('error', Object.assign(new Error('boom'), { code: 'EIO' })), /boom/);
});

test('./lab profiles into a pipe closed before it writes: exit 0, no stack trace', async () => {
  const cli = join(repoRoot(), 'runner', 'dist', 'src', 'lab', 'cli.js');
  const child = spawn(process.execPath, [cli, 'profiles'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(stderr.includes('EPIPE'), false, stderr);
  assert.equal(code, 0, stderr);
});
