import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temp folder; removed by the returned cleanup. */
export async function tempDir(prefix = 'teamstate-ws-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}
