import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Temp folders made by this test file, removed after it (tests/setup.ts). */
const made: string[] = [];

/** A fresh folder under the system temp folder, removed once the test file's tests are done. */
export async function makeTemp(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder makeTemp made so far. */
export async function removeTemps(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true, maxRetries: 5 })));
}
