import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempWorkspace } from '../engine/helpers.js';
import { tempDir } from '../workspace/helpers.js';
import { runCli } from '../workspace/cli-helpers.js';

// The CLI as shipped: the bundle scripts/bundle.mjs makes of the build (`npm run build`).
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE = path.join(ROOT, 'dist', 'bundle');
const MAIN = path.join(BUNDLE, 'main.js');

/**
 * Every module file `teamstate start --headless` loads before it prints READY. A loader
 * hook names each file on stderr, and the line READY is printed with is marked there too:
 * both are synchronous writes to the same pipe, so their order is the order they happened in.
 */
async function loadedBeforeReady(workspace: string): Promise<string[]> {
  const dir = await tempDir('teamstate-hooks-');
  const hooks = path.join(dir, 'hooks.mjs');
  await fs.writeFile(hooks, "export async function load(url, context, next) { process._rawDebug(`LOADED ${url}`); return next(url, context); }\n");
  const preload = path.join(dir, 'preload.mjs');
  await fs.writeFile(
    preload,
    [
      "import { register } from 'node:module';",
      `register(${JSON.stringify(pathToFileURL(hooks).href)});`,
      'const write = process.stdout.write.bind(process.stdout);',
      "process.stdout.write = (chunk, ...rest) => { if (String(chunk).includes('READY')) process._rawDebug('PRINTED READY'); return write(chunk, ...rest); };",
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', pathToFileURL(preload).href, MAIN, 'start', '--headless', '--workspace', workspace], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.resume();
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  try {
    for (let i = 0; !err.includes('PRINTED READY'); i++) {
      if (child.exitCode !== null || i > 1200) throw new Error(`no READY from the bundle: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  const before = err.slice(0, err.indexOf('PRINTED READY'));
  return [...before.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!).filter((u) => u.startsWith('file:'));
}

describe('the bundled CLI (dist/bundle)', () => {
  it('starts headless from its own files alone, and loads neither the UI, the step runner, the handlers nor the checks before READY', async () => {
    const paths = await tempWorkspace('instant');
    const files = (await loadedBeforeReady(paths.root)).map((u) => fileURLToPath(u));
    expect(files[0]).toBe(MAIN);
    // Nothing from node_modules or from tsc's output: the dependencies are in the bundle.
    expect(files.filter((f) => path.dirname(f) !== BUNDLE)).toEqual([]);
    const names = files.map((f) => path.basename(f));
    expect(names.some((n) => n.startsWith('start-'))).toBe(true);
    for (const lazy of ['run-ui-', 'step-runner-', 'handlers-', 'builtin-checks-', 'check-', 'show-', 'demo-']) {
      expect(names.filter((n) => n.startsWith(lazy))).toEqual([]);
    }
  });

  it("leaves zod's other locales out and keeps its English messages", async () => {
    const texts = await Promise.all((await fs.readdir(BUNDLE)).filter((f) => f.endsWith('.js')).map((f) => fs.readFile(path.join(BUNDLE, f), 'utf8')));
    const all = texts.join('\n');
    // zod's German and Polish locales (node_modules/zod/v4/locales/de.js, pl.js).
    expect(all).not.toContain('Ungültige Eingabe');
    expect(all).not.toContain('Nieprawidłowe dane wejściowe');
    expect(all).toContain('Invalid input');
  });

  it.each([
    ['a number given as text', (c: string) => c.replace('"scanIntervalMs": 1000', '"scanIntervalMs": "fast"'), /teamstate\.json:\d+:\d+: scanIntervalMs/],
    ['a misspelt key', (c: string) => c.replace('"fsync"', '"fsnyc"'), /fsnyc/],
    ['an unknown choice', (c: string) => c.replace('"conductor": "member"', '"conductor": "robot"'), /conductor/],
    ['an engine member not on the team', (c: string) => c.replace(/"member": "backend-engineer"/, '"member": "nobody"'), /"nobody" is not one of members/],
  ])('refuses a config with %s with the same message as the sources', async (_what, edit, expected) => {
    const paths = await tempWorkspace('instant');
    const text = await fs.readFile(paths.configFile, 'utf8');
    const edited = edit(text);
    expect(edited).not.toBe(text);
    await fs.writeFile(paths.configFile, edited);
    const args = ['start', '--headless', '--workspace', paths.root];
    const bundled = await runCli(args, { cwd: paths.root });
    const fromSource = await runCli(args, { cwd: paths.root, fromSource: true });
    expect(bundled.code).toBe(1);
    expect(bundled.stderr).toMatch(expected);
    expect(bundled.stderr.split('\n')[0]).toMatch(/^teamstate: /);
    expect({ code: bundled.code, stderr: bundled.stderr, stdout: bundled.stdout }).toEqual({ code: fromSource.code, stderr: fromSource.stderr, stdout: fromSource.stdout });
  });
});
