import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p` that fails with the true reason. Node 20's recursive mkdir says ENOENT for a
 * folder it cannot make on a read-only file system (measured: EROFS from a plain mkdir of
 * the same folder), which reads as "no such folder" instead of "make it writable". On
 * ENOENT the first missing folder is made alone, so its own error is the one thrown.
 */
export function makeDirs(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    let missing = path.resolve(dir);
    while (path.dirname(missing) !== missing && !existsSync(path.dirname(missing))) missing = path.dirname(missing);
    mkdirSync(missing);
    mkdirSync(dir, { recursive: true });
  }
}
