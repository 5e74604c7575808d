import { makeTemp } from '../temp.js';
import { promises as fs } from 'node:fs';

/** A fresh temp folder; removed after the test file (tests/setup.ts). */
export async function tempDir(prefix = 'teamstate-ws-'): Promise<string> {
  return makeTemp(prefix);
}

export async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}
