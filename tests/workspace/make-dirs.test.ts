import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/workspace/make-dirs.js';
import { canMount, makeReadOnly, unmountAll } from '../bench/mounts.js';
import { tempDir } from './helpers.js';

describe('making folders (mkdir -p)', () => {
  it('makes every missing folder and leaves existing ones alone', async () => {
    const root = await tempDir();
    makeDirs(path.join(root, 'a', 'b', 'c'));
    expect(existsSync(path.join(root, 'a', 'b', 'c'))).toBe(true);
    makeDirs(path.join(root, 'a', 'b'));
    makeDirs(path.join(root, 'a', 'b', 'c'));
    expect(existsSync(path.join(root, 'a', 'b', 'c'))).toBe(true);
  });

  describe.skipIf(!canMount)('on a read-only file system (a read-only bind mount)', () => {
    afterAll(() => unmountAll());

    it('fails with EROFS and the folder it could not make, not with the ENOENT of a recursive mkdir', async () => {
      const root = await tempDir();
      mkdirSync(path.join(root, 'ro'));
      const writable = makeReadOnly(path.join(root, 'ro'));
      try {
        let caught: NodeJS.ErrnoException | undefined;
        try {
          makeDirs(path.join(root, 'ro', 'ws', 'inboxes'));
        } catch (e) {
          caught = e as NodeJS.ErrnoException;
        }
        expect(caught?.code).toBe('EROFS');
        expect(caught?.path).toBe(path.join(root, 'ro', 'ws'));
      } finally {
        writable();
      }
    });
  });
});
