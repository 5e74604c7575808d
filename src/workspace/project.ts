import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import type { Config } from './config-schema.js';

/** Where the project is when the config names none: a folder inside the workspace. */
export const DEFAULT_PROJECT = 'project';

/** The project a workspace works on, and whether the config chose it. */
export interface ProjectInfo {
  dir: string;
  /** False when "project" is left out: the workspace's own project/ folder is used. */
  configured: boolean;
  /** Set when the folder is a surprising choice (home, the file-system root, teamstate itself): why. */
  concern?: string;
}

/**
 * The project under work: "project" from the config, relative to the workspace; left out,
 * `<workspace>/project/`. Never the directory teamstate happens to be started in, which
 * may be teamstate's own repository or the home folder (the engine writes the agent log
 * into the project).
 */
export function projectOf(root: string, config: Pick<Config, 'project'>): ProjectInfo {
  const configured = config.project !== undefined && config.project !== '';
  const dir = path.resolve(root, configured ? config.project! : DEFAULT_PROJECT);
  const concern = projectConcern(dir);
  return { dir, configured, ...(concern ? { concern } : {}) };
}

/** Why `dir` is an odd project: one the engine would write an agent log into by mistake. */
export function projectConcern(dir: string): string | undefined {
  const abs = path.resolve(dir);
  if (abs === path.parse(abs).root) return 'it is the root of the file system';
  if (abs === path.resolve(os.homedir())) return 'it is your home folder';
  try {
    if (abs === packageRoot()) return "it is teamstate's own folder";
  } catch {
    // No package root found: not teamstate's folder then.
  }
  return undefined;
}

/**
 * Makes sure the project folder is there before any step runs in it: the default one is
 * created; a configured one that is missing or not a folder is a mistake to fix now,
 * not a step failing later with `spawn … ENOENT`.
 */
export async function ensureProject(project: ProjectInfo, configFile: string): Promise<void> {
  if (!project.configured) {
    await fs.mkdir(project.dir, { recursive: true });
    return;
  }
  const st = await fs.stat(project.dir).catch(() => undefined);
  if (!st) throw new UserError(`project folder ${project.dir} does not exist; create it, or fix "project" in ${configFile}`);
  if (!st.isDirectory()) throw new UserError(`project ${project.dir} is not a folder; fix "project" in ${configFile}`);
}
