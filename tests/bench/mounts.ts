import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Real file-system faults for tests: a tiny tmpfs that fills up (ENOSPC), and a folder
 * made read-only by a read-only bind mount (chmod does not stop root). Both need root
 * and mount(8); {@link canMount} says whether this machine allows them.
 */
export const canMount: boolean = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const dir = path.join(os.tmpdir(), `teamstate-mount-probe-${process.pid}`);
  try {
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('rm', ['-rf', dir]);
  }
})();

const mounted: string[] = [];

/** Mounts a tmpfs of `kb` KiB on `dir` (created if missing). */
export async function mountTmpfs(dir: string, kb: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir]);
  mounted.push(dir);
}

/** Fills the file system of `dir` to the last byte with `dir/.filler`; returns a function that frees it. */
export async function fill(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, '.filler');
  const fh = await fs.open(file, 'w');
  const chunk = Buffer.alloc(4096, 0x2e);
  try {
    for (;;) await fh.write(chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    await fh.close();
  }
  // Byte-sized writes too, until not even one fits.
  for (let i = 0; i < 4096; i++) {
    try {
      await fs.appendFile(file, '.');
    } catch {
      break;
    }
  }
  return () => fs.rm(file, { force: true });
}

/** Makes `dir` read-only in place (a read-only bind mount over itself); returns the undo. */
export function makeReadOnly(dir: string): () => void {
  execFileSync('mount', ['--bind', dir, dir]);
  execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
  mounted.push(dir);
  return () => unmount(dir);
}

export function unmount(dir: string): void {
  const i = mounted.lastIndexOf(dir);
  if (i === -1) return;
  mounted.splice(i, 1);
  execFileSync('umount', [dir]);
}

/** Unmounts whatever a test left mounted (afterEach). */
export function unmountAll(): void {
  while (mounted.length > 0) {
    const dir = mounted.pop()!;
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
}
