/** Atomic writes: a crash or Ctrl-C never leaves half a result file. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeFileAtomic(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

export function writeJsonAtomic(file: string, value: unknown, pretty = true): void {
  writeFileAtomic(file, `${pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function tryReadJson<T>(file: string): T | null {
  try {
    return readJson<T>(file);
  } catch {
    return null;
  }
}
