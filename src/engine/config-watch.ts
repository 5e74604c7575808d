import path from 'node:path';
import { watch } from 'chokidar';
import { loadConfig } from '../workspace/config.js';
import type { WorkspacePaths } from '../workspace/paths.js';

/**
 * The config is read once, when the engine starts: an edit to it while the engine runs
 * is said to need a restart (and whether the edited file would be refused), never
 * silently ignored.
 */
export function watchConfig(paths: WorkspacePaths, warn: (message: string) => void): { close(): Promise<void> } {
  const name = path.basename(paths.configFile);
  let closed = false;
  const watcher = watch(paths.configFile, { ignoreInitial: true });
  const edited = () => {
    void loadConfig(paths.root).then(
      () => closed || warn(`${name} changed: this engine keeps the config it started with; restart it to apply the change`),
      (e: Error) => closed || warn(`${name} changed, and a restart would refuse it: ${e.message}`),
    );
  };
  watcher.on('change', edited).on('add', edited);
  watcher.on('error', (e) => warn(`watcher of ${paths.configFile}: ${String(e)}`));
  return {
    close: () => {
      closed = true;
      return watcher.close();
    },
  };
}
