import { randomBytes } from 'node:crypto';
import { watch } from 'chokidar';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../workspace/atomic.js';
import { LinkError, assertNoLinks } from '../workspace/no-links.js';
import type { WorkspacePaths } from '../workspace/paths.js';

/**
 * A person's action on a run, from the CLI or the UI. The CLI drops it in control/ for
 * the engine (running now, or at its next start); the UI calls the engine directly.
 */
export const controlSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('complete'), run: z.string(), step: z.string(), text: z.string().default(''), fail: z.string().optional() }),
  z.object({ action: z.literal('retry'), run: z.string(), step: z.string() }),
  z.object({ action: z.literal('decide'), run: z.string(), approved: z.boolean(), feedback: z.string().default('') }),
  z.object({ action: z.literal('cancel'), run: z.string(), reason: z.string().default('cancelled by a person') }),
]);
export type Control = z.infer<typeof controlSchema>;
export type ControlInput = z.input<typeof controlSchema>;

/**
 * Why control/ cannot be used now: it (or a folder on its way) is a symbolic link, which
 * nothing is written or read through (docs/DESIGN.md §4). Checked at each queue and
 * each drain, not only at start: a link may be put in its place while the engine runs.
 */
export async function controlDirProblem(paths: WorkspacePaths): Promise<string | undefined> {
  try {
    await assertNoLinks(paths.root, paths.controlDir);
    return undefined;
  } catch (e) {
    if (e instanceof LinkError) return e.message;
    throw e;
  }
}

/** Queues `control` for the engine: written atomically, named so they apply in order. */
export async function queueControl(paths: WorkspacePaths, control: ControlInput, now: number = Date.now()): Promise<string> {
  const link = await controlDirProblem(paths);
  if (link) throw new UserError(`cannot queue the action: ${link}`);
  await fs.mkdir(paths.controlDir, { recursive: true });
  const name = `${String(now).padStart(14, '0')}-${randomBytes(4).toString('hex')}.json`;
  const file = path.join(paths.controlDir, name);
  await writeFileAtomic(file, `${JSON.stringify(controlSchema.parse(control))}\n`);
  return file;
}

/**
 * The queued controls, oldest first, each parsed or with the reason it can't be. A file
 * that is a link (or a FIFO, a device, a folder) is not read: it is listed with why, to be
 * set aside like any refused action.
 */
export async function listControls(paths: WorkspacePaths): Promise<{ name: string; file: string; control?: Control; error?: string }[]> {
  const names = (await fs.readdir(paths.controlDir).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(paths.controlDir, name);
      try {
        const parsed = controlSchema.safeParse(JSON.parse(await readRegular(file)));
        return parsed.success ? { name, file, control: parsed.data } : { name, file, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
      } catch (e) {
        return { name, file, error: (e as Error).message };
      }
    }),
  );
}

/** A regular file's text, opened without following a link and without blocking on a FIFO. */
async function readRegular(file: string): Promise<string> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw e;
    const target = await fs.readlink(file).catch(() => '?');
    throw new Error(`${path.basename(file)} is a symbolic link (to ${target}); actions are read only from regular files in control/, never through a link`);
  }
  try {
    if (!(await fh.stat()).isFile()) throw new Error(`${path.basename(file)} is not a regular file; actions are read only from regular files in control/`);
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/** Wakes the engine when the CLI queues an action (a hint: the engine also scans on a timer). */
export function watchControls(paths: WorkspacePaths, wake: () => void, onError: (message: string) => void): { close(): Promise<void> } {
  const watcher = watch(paths.controlDir, { ignoreInitial: true, depth: 0 });
  watcher.on('add', wake);
  watcher.on('error', (e) => onError(`watcher of ${paths.controlDir}: ${String(e)}`));
  return { close: () => watcher.close() };
}

/** What became of a queued action: applied (its file is gone), refused (kept as `.rejected` with the reason), or not taken yet. */
export type Verdict = { status: 'applied' } | { status: 'refused'; reason: string } | { status: 'pending' };

/**
 * Waits up to `waitMs` for the engine to take the action queued in `file`. The engine
 * writes the reason before it renames a refused action, so a `.rejected` file always
 * has its reason beside it.
 */
export async function awaitVerdict(file: string, waitMs: number, pollMs = 50): Promise<Verdict> {
  const deadline = Date.now() + waitMs;
  const exists = (p: string) => fs.access(p).then(() => true, () => false);
  for (;;) {
    if (await exists(`${file}.rejected`)) {
      const reason = await readRegular(`${file}.rejected.reason.txt`).catch(() => 'no reason was recorded');
      return { status: 'refused', reason: reason.trim() };
    }
    if (!(await exists(file))) {
      // Gone: applied, unless it was renamed aside in between.
      if (await exists(`${file}.rejected`)) continue;
      return { status: 'applied' };
    }
    if (Date.now() >= deadline) return { status: 'pending' };
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
