import { promises as fs } from 'node:fs';
import { UserError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { parseConfigText } from './config.js';
import type { Config } from './config-schema.js';
import { configTemplate } from './config-template.js';
import type { Preset } from './config-template.js';
import { INBOX_SUBDIRS, WorkspacePaths } from './paths.js';
import { LinkError, assertNoLinksIn } from './no-links.js';
import { makeDirs } from './make-dirs.js';

/** Options of {@link initWorkspace}. */
export interface InitOptions {
  /** `instant` makes every step done at once (tests, demos, benchmarks). @default 'default' */
  preset?: Preset;
  /** Overwrite an existing teamstate.json. Inboxes, runs and tasks are kept. @default false */
  force?: boolean;
  /** @default true */
  fsync?: boolean;
  /** The project, relative to the workspace, written into teamstate.json. @default left out (the workspace's project/) */
  project?: string;
}

/**
 * Creates a workspace in `dir`: a commented `teamstate.json` and the folders of docs/DESIGN.md §2
 * (inboxes/<member>/{tmp,new,cur,rejected}, runs/, tasks/, control/). Refuses, with a
 * UserError, to overwrite an existing config unless `force`.
 */
export async function initWorkspace(dir: string, opts: InitOptions = {}): Promise<Config> {
  const paths = new WorkspacePaths(dir);
  const text = configTemplate(opts.preset ?? 'default', opts.project !== undefined ? { project: opts.project } : {});
  const config = parseConfigText(text, paths.configFile);
  try {
    makeDirs(paths.root);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new UserError(`${paths.root}: not a folder; choose another place for the workspace`);
    if (code === 'EACCES' || code === 'EPERM') throw new UserError(`${paths.root}: no permission to create it`);
    throw e;
  }
  const exists = await fs.lstat(paths.configFile).then(
    () => true,
    () => false,
  );
  if (exists && !opts.force) {
    throw new UserError(`${paths.configFile} already exists; keep it, or pass --force to replace it with the default (inboxes, runs and tasks are kept)`);
  }
  await ensureLayout(paths, config);
  await writeFileAtomic(paths.configFile, text, { fsync: opts.fsync ?? true });
  return config;
}

/**
 * Creates whatever folders of the layout are missing for the members of `config`;
 * existing folders and files are left alone. The engine calls it at start, so a member
 * added to the config gets its inbox.
 */
export async function ensureLayout(paths: WorkspacePaths, config: Pick<Config, 'members'>): Promise<void> {
  const dirs = [paths.inboxesDir, paths.runsDir, paths.tasksDir, paths.controlDir, ...config.members.flatMap((m) => INBOX_SUBDIRS.map((sub) => paths.inbox(m)[sub]))];
  // Nothing is written through a link (docs/DESIGN.md §2): a linked folder is refused, naming it.
  // Checked and made with direct calls: at start, ~30 folders × their parents, each a
  // round trip through the thread pool otherwise (5 ms of the start).
  try {
    await assertNoLinksIn(paths.root, [...dirs, paths.deliveriesDir]);
  } catch (e) {
    if (e instanceof LinkError) throw new UserError(e.message);
    throw e;
  }
  for (const d of dirs) makeDirs(d);
}
