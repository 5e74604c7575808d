import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
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
 * Every module file `main start --headless` loads (an ES module, named by a loader hook) or
 * requires (CommonJS, named from Module._load; Node's built-ins left out) before it prints
 * READY, the line READY is printed with marked on stderr too: all are synchronous writes to
 * the same pipe, so their order is the order they happened in.
 */
async function loadedBeforeReady(main: string, workspace: string): Promise<{ loaded: string[]; required: string[] }> {
  const dir = await tempDir('teamstate-hooks-');
  const hooks = path.join(dir, 'hooks.mjs');
  await fs.writeFile(hooks, "export async function load(url, context, next) { process._rawDebug(`LOADED ${url}`); return next(url, context); }\n");
  const preload = path.join(dir, 'preload.mjs');
  await fs.writeFile(
    preload,
    [
      "import Module, { builtinModules, register } from 'node:module';",
      `register(${JSON.stringify(pathToFileURL(hooks).href)});`,
      'const load = Module._load;',
      "Module._load = function (request, ...rest) { if (!request.startsWith('node:') && !builtinModules.includes(request)) process._rawDebug(`REQUIRED ${request}`); return load.call(this, request, ...rest); };",
      'const write = process.stdout.write.bind(process.stdout);',
      "process.stdout.write = (chunk, ...rest) => { if (String(chunk).includes('READY')) process._rawDebug('PRINTED READY'); return write(chunk, ...rest); };",
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', pathToFileURL(preload).href, main, 'start', '--headless', '--workspace', workspace], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.resume();
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  try {
    for (let i = 0; !err.includes('PRINTED READY'); i++) {
      if (child.exitCode !== null || i > 1200) throw new Error(`no READY from ${main}: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  const before = err.slice(0, err.indexOf('PRINTED READY'));
  return {
    loaded: [...before.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!).filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u)),
    required: [...before.matchAll(/^REQUIRED (\S+)$/gm)].map((m) => m[1]!),
  };
}

/** Starts the shipped CLI headless on `workspace` and stops it once READY is out and a moment has passed. */
async function startAndStop(workspace: string): Promise<void> {
  const child = spawn(process.execPath, [MAIN, 'start', '--headless', '--workspace', workspace], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  for (let i = 0; !out.includes('READY'); i++) {
    if (child.exitCode !== null || i > 1200) throw new Error(`no READY from the bundle: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}

describe('the bundled CLI (dist/bundle)', () => {
  it('starts headless from the launcher and cli.cjs alone: no other module is loaded or required before READY', async () => {
    const paths = await tempWorkspace('instant');
    const { loaded, required } = await loadedBeforeReady(MAIN, paths.root);
    expect(loaded).toEqual([MAIN]);
    // Nothing from node_modules or from tsc's output: the dependencies are in cli.cjs.
    expect(required).toEqual([]);
  });

  it('starts headless from a damaged code cache, and writes a good one once READY is out', async () => {
    const paths = await tempWorkspace('instant');
    const cache = path.join(BUNDLE, 'cli.cjs.v8cache');
    await fs.writeFile(cache, 'teamstate-code-cache-1 damaged\nnot V8 data');
    await startAndStop(paths.root);
    const bytes = await fs.readFile(cache);
    const end = bytes.indexOf(10);
    const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
    expect(bytes.toString('latin1', 0, end).split(' ').slice(3)).toEqual([sha1(await fs.readFile(path.join(BUNDLE, 'cli.cjs'))), sha1(bytes.subarray(end + 1))]);
  });

  it('holds the terminal UI in the ES-module build only, which loads neither the UI, the step runner, the handlers nor the checks before READY', async () => {
    // A string of ink's (the UI's renderer), in the UI's chunk.
    const inInk = 'Raw mode is not supported';
    expect(await fs.readFile(path.join(BUNDLE, 'cli.cjs'), 'utf8')).not.toContain(inInk);
    const chunks = (await fs.readdir(BUNDLE)).filter((f) => f.endsWith('.js'));
    expect(chunks.filter((f) => readFileSync(path.join(BUNDLE, f), 'utf8').includes(inInk)).map((f) => f.replace(/-\w+\.js$/, ''))).toEqual(['run-ui']);
    const paths = await tempWorkspace('instant');
    const { loaded } = await loadedBeforeReady(path.join(BUNDLE, 'cli.js'), paths.root);
    expect(loaded.filter((f) => path.dirname(f) !== BUNDLE)).toEqual([]);
    const names = loaded.map((f) => path.basename(f));
    expect(names.some((n) => n.startsWith('start-'))).toBe(true);
    for (const lazy of ['run-ui-', 'step-runner-', 'handlers-', 'builtin-checks-', 'check-', 'show-', 'demo-']) {
      expect(names.filter((n) => n.startsWith(lazy))).toEqual([]);
    }
  });

  it("leaves zod's other locales out and keeps its English messages", async () => {
    const texts = await Promise.all((await fs.readdir(BUNDLE)).filter((f) => f.endsWith('.js') || f.endsWith('.cjs')).map((f) => fs.readFile(path.join(BUNDLE, f), 'utf8')));
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
