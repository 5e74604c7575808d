import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { runningEngine } from '../../engine/read.js';
import { PRESETS } from '../../handlers/llm/presets.js';
import { openRunStore } from '../../store/open.js';
import { readQuarantines } from '../../store/quarantine.js';
import { loadConfig } from '../../workspace/config.js';
import type { Config } from '../../workspace/config-schema.js';
import { STEPS } from '../../workspace/config-schema.js';
import { INBOX_SUBDIRS, WorkspacePaths } from '../../workspace/paths.js';
import { projectOf } from '../../workspace/project.js';

/** One finding of `teamstate doctor`: a problem (exit 1) says what to do; ok and note only inform. */
export interface Finding {
  level: 'ok' | 'note' | 'problem';
  check: 'config' | 'project' | 'steps' | 'folders' | 'lock' | 'runs';
  text: string;
}

/** Where `program` resolves: a path (relative to `cwd`) when it has a slash, else the first match on PATH. */
export async function resolveProgram(program: string, cwd: string, pathVar: string | undefined): Promise<string | undefined> {
  const executable = (p: string) =>
    fs.stat(p).then(
      (st) => st.isFile() && fs.access(p, constants.X_OK).then(() => true, () => false),
      () => false,
    );
  if (program.includes('/')) {
    const abs = path.resolve(cwd, program);
    return (await executable(abs)) ? abs : undefined;
  }
  for (const dir of (pathVar ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(path.resolve(cwd, dir), program);
    if (await executable(candidate)) return candidate;
  }
  return undefined;
}

async function checkProject(paths: WorkspacePaths, config: Config): Promise<Finding[]> {
  const project = projectOf(paths.root, config);
  const st = await fs.stat(project.dir).catch(() => undefined);
  const out: Finding[] = [];
  if (!st?.isDirectory()) {
    out.push({
      level: project.configured ? 'problem' : 'note',
      check: 'project',
      text: project.configured
        ? `project ${project.dir} ${st ? 'is not a folder' : 'does not exist'}: create it, or fix "project" in ${paths.configFile}`
        : `no "project" in ${paths.configFile}: the steps would work in ${project.dir} (created at start); set "project" to your repository`,
    });
  } else if (!project.configured) {
    out.push({ level: 'note', check: 'project', text: `no "project" in ${paths.configFile}: the steps work in ${project.dir}; set "project" to your repository` });
  } else {
    out.push({ level: 'ok', check: 'project', text: `project ${project.dir}` });
  }
  if (project.concern) out.push({ level: 'problem', check: 'project', text: `project ${project.dir}: ${project.concern}, and the steps and the agent log write there; set "project" in ${paths.configFile} to the repository under work` });
  return out;
}

async function checkSteps(paths: WorkspacePaths, config: Config): Promise<Finding[]> {
  const projectDir = projectOf(paths.root, config).dir;
  const out: Finding[] = [];
  for (const step of STEPS) {
    const handler = config.steps[step];
    if (handler.kind !== 'command') continue;
    // A preset's program is its own unless `argv` names another.
    const program = (handler.argv ?? (handler.preset ? PRESETS[handler.preset].program : undefined))?.[0];
    if (!program) continue;
    const pathVar = handler.env.PATH ?? process.env.PATH;
    const found = await resolveProgram(program, projectDir, pathVar);
    out.push(
      found
        ? { level: 'ok', check: 'steps', text: `steps.${step}: ${program} → ${found}` }
        : {
            level: 'problem',
            check: 'steps',
            text: program.includes('/')
              ? `steps.${step}: ${path.resolve(projectDir, program)} is not an executable file (relative paths start in the project); fix steps.${step}.argv`
              : `steps.${step}: "${program}" is not on PATH; install it, or give its full path in steps.${step}.argv`,
          },
    );
  }
  if (out.length === 0) out.push({ level: 'ok', check: 'steps', text: 'no command steps: every step is built-in, manual or instant' });
  return out;
}

/** A folder the engine writes in: it must be a real folder (not a link) and writable. */
async function checkFolder(dir: string, label: string): Promise<Finding | undefined> {
  const st = await fs.lstat(dir).catch(() => undefined);
  if (!st) return { level: 'problem', check: 'folders', text: `${label} ${dir} is missing; \`teamstate start\` creates it, or run \`teamstate init --force\`` };
  if (st.isSymbolicLink()) return { level: 'problem', check: 'folders', text: `${label} ${dir} is a symbolic link; make it a real folder (messages are renamed in and out of it)` };
  if (!st.isDirectory()) return { level: 'problem', check: 'folders', text: `${label} ${dir} is not a folder; move it aside` };
  const writable = await fs.access(dir, constants.W_OK).then(() => true, () => false);
  if (!writable) return { level: 'problem', check: 'folders', text: `${label} ${dir} is not writable by this user; fix its permissions` };
  return undefined;
}

async function checkFolders(paths: WorkspacePaths, config: Config): Promise<Finding[]> {
  const dirs: [string, string][] = [
    [paths.inboxesDir, 'inboxes'],
    [paths.runsDir, 'runs'],
    [paths.tasksDir, 'tasks'],
    [paths.controlDir, 'control'],
  ];
  for (const member of config.members) {
    const inbox = paths.inbox(member);
    dirs.push([inbox.root, `inbox of ${member}`], ...INBOX_SUBDIRS.map((s): [string, string] => [inbox[s], `inbox of ${member}, ${s}/`]));
  }
  const found = (await Promise.all(dirs.map(([d, l]) => checkFolder(d, l)))).filter((f): f is Finding => f !== undefined);
  return found.length ? found : [{ level: 'ok', check: 'folders', text: `${dirs.length} folders: real folders, writable` }];
}

async function checkLock(paths: WorkspacePaths): Promise<Finding[]> {
  const text = await fs.readFile(paths.lockFile, 'utf8').catch(() => undefined);
  if (text === undefined) return [{ level: 'ok', check: 'lock', text: 'no engine is running (no lock)' }];
  const pid = await runningEngine(paths);
  if (pid) return [{ level: 'ok', check: 'lock', text: `an engine is running (pid ${pid})` }];
  let holder = 'an unreadable lock';
  try {
    holder = `pid ${String((JSON.parse(text) as { pid?: unknown }).pid)}`;
  } catch {
    // Shown as unreadable.
  }
  return [{ level: 'note', check: 'lock', text: `a stale lock (${holder}, not running) in ${paths.lockFile}; the next \`teamstate start\` takes it over` }];
}

async function checkRuns(paths: WorkspacePaths): Promise<Finding[]> {
  const store = await openRunStore(paths, { readOnly: true });
  const out: Finding[] = [];
  try {
    const ids = await store.listRuns();
    for (const id of ids) {
      try {
        const { note } = await store.read(id);
        if (note) out.push({ level: 'note', check: 'runs', text: `run ${id}: ${note}` });
      } catch (e) {
        out.push({ level: 'problem', check: 'runs', text: `run ${id}: its journal cannot be read (${(e as Error).message}); move runs/${id} aside and keep it for a report` });
      }
    }
    for (const q of (await readQuarantines(paths.runsDir)).values()) {
      out.push({ level: 'problem', check: 'runs', text: `run ${q.runId} is quarantined: ${q.reason}; restore runs/${q.runId} from a backup, or move it aside to drop the run (the engine takes no more messages for it)` });
    }
    const entries = await fs.readdir(paths.runsDir, { withFileTypes: true }).catch(() => []);
    const known = new Set(ids);
    for (const e of entries) {
      if (e.isDirectory() && !known.has(e.name) && !e.name.startsWith('.')) {
        out.push({ level: 'note', check: 'runs', text: `runs/${e.name} has no journal: not a run the engine reads (quarantined or left over); look inside before removing it` });
      }
    }
    if (out.length === 0) out.push({ level: 'ok', check: 'runs', text: `${ids.length} run${ids.length === 1 ? '' : 's'}, every journal readable` });
  } finally {
    await store.close();
  }
  return out;
}

/**
 * Everything `teamstate doctor` checks, in order. A config that cannot be read stops the
 * checks that need it; each problem says what to do.
 */
export async function diagnose(root: string): Promise<Finding[]> {
  const paths = new WorkspacePaths(root);
  let config: Config;
  try {
    config = await loadConfig(paths.root);
  } catch (e) {
    return [{ level: 'problem', check: 'config', text: (e as Error).message }, ...(await checkLock(paths))];
  }
  return [
    { level: 'ok', check: 'config', text: `${paths.configFile}: valid, no unknown fields` },
    ...(await checkProject(paths, config)),
    ...(await checkSteps(paths, config)),
    ...(await checkFolders(paths, config)),
    ...(await checkLock(paths)),
    ...(await checkRuns(paths)),
  ];
}
