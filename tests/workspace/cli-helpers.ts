import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The CLI as shipped (package.json's bin): the bundle `npm run build` makes. */
const MAIN = path.join(ROOT, 'dist/bundle/main.js');
/** The CLI from source through tsx, for tests that should not need a build. */
const FROM_SOURCE = ['--import', pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, path.join(ROOT, 'src/cli/main.ts')];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (`npm run build` first) in `cwd`, with `input` on stdin (always
 * closed); with `fromSource`, the sources through tsx instead.
 */
export function runCli(args: string[], opts: { cwd: string; input?: string; fromSource?: boolean }): Promise<CliResult> {
  if (!opts.fromSource && !existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before the CLI tests`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.fromSource ? FROM_SOURCE : [MAIN]), ...args], { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
