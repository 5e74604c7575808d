import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFileFor, runWithCodeCache } from '../../src/cli/code-cache.js';
import { showsUi } from '../../src/cli/commands/index.js';
import { onStartPathDone, startPathDone } from '../../src/cli/start-path.js';
import { tempDir } from '../workspace/helpers.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
const ran = (): string[] => ((globalThis as { codeCacheTestRan?: string[] }).codeCacheTestRan ??= []);

/**
 * A CommonJS "bundle" saying `tag` when it runs, with functions enough for a cache
 * (the same length for every tag of the same length: V8 checks only the length).
 */
function bundleText(tag: string): string {
  return [
    '#!/usr/bin/env node',
    "const path = require('node:path');",
    'function twice(s) { return s + s; }',
    `const tag = twice(${JSON.stringify(tag)}).slice(0, ${tag.length});`,
    'globalThis.codeCacheTestRan.push(`${tag} ${path.basename(__filename)} ${path.basename(__dirname)}`);',
    'module.exports = { tag };',
    '',
  ].join('\n');
}

/** A folder with bundle.cjs saying `tag`. */
async function bundleIn(tag: string): Promise<{ dir: string; bundle: string; cache: string }> {
  const dir = await tempDir('teamstate-code-cache-');
  const bundle = path.join(dir, 'bundle.cjs');
  await fs.writeFile(bundle, bundleText(tag));
  return { dir, bundle, cache: `${bundle}.v8cache` };
}

/** Runs `bundle` as the launcher does, then says the start path is done and lets the cache be written. */
async function start(bundle: string, cache: string): Promise<{ use: string; said: string | undefined }> {
  const before = ran().length;
  const use = runWithCodeCache(bundle, cache);
  startPathDone();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return { use, said: ran().slice(before).join(' | ') || undefined };
}

/** The cache file's first line and the V8 data after it. */
async function readCache(cache: string): Promise<{ header: string[]; data: Buffer }> {
  const bytes = await fs.readFile(cache);
  const end = bytes.indexOf(10);
  return { header: bytes.toString('latin1', 0, end).split(' '), data: bytes.subarray(end + 1) };
}

describe("the CLI's code cache (src/cli/code-cache.ts)", () => {
  it('runs the bundle from its source the first time, writes the cache once the start path is done, and uses it the next time', async () => {
    const { bundle, cache, dir } = await bundleIn('alpha');
    ran();
    const first = runWithCodeCache(bundle, cache);
    expect(first).toBe('none');
    expect(ran().at(-1)).toBe(`alpha bundle.cjs ${path.basename(dir)}`);
    // Nothing is written before the start path is done: its functions are not compiled yet.
    await new Promise((r) => setImmediate(r));
    await expect(fs.stat(cache)).rejects.toThrow();
    startPathDone();
    await new Promise((r) => setImmediate(r));
    const { header, data } = await readCache(cache);
    expect(header).toEqual(['teamstate-code-cache-1', process.version, process.arch, sha1(await fs.readFile(bundle)), sha1(data)]);
    expect(await start(bundle, cache)).toEqual({ use: 'used', said: `alpha bundle.cjs ${path.basename(dir)}` });
    // A used cache is not written again.
    const { mtimeMs } = await fs.stat(cache);
    await start(bundle, cache);
    expect((await fs.stat(cache)).mtimeMs).toBe(mtimeMs);
  });

  it('leaves a cache made from another bundle of the same length unused, runs the new source, and writes its cache instead', async () => {
    const { bundle, cache } = await bundleIn('alpha');
    await start(bundle, cache);
    await fs.writeFile(bundle, bundleText('omega'));
    expect(await start(bundle, cache)).toEqual({ use: 'none', said: expect.stringMatching(/^omega /) });
    expect((await readCache(cache)).header[3]).toBe(sha1(await fs.readFile(bundle)));
    expect((await start(bundle, cache)).use).toBe('used');
  });

  it.each([
    ['a byte of its V8 data changed', (b: Buffer) => Buffer.concat([b.subarray(0, b.length - 40), Buffer.from([b[b.length - 40]! ^ 0xff]), b.subarray(b.length - 39)])],
    ['cut short', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['its first line only', (b: Buffer) => b.subarray(0, b.indexOf(10) + 1)],
    ['empty', () => Buffer.alloc(0)],
    ['no line at all', () => Buffer.from('not a cache')],
    ['made by another Node', (b: Buffer) => Buffer.from(b.toString('latin1').replace(process.version, 'v0.0.0'), 'latin1')],
  ])('runs the bundle from its source when the cache is %s, and writes a good one', async (_what, damage) => {
    const { bundle, cache } = await bundleIn('alpha');
    await start(bundle, cache);
    await fs.writeFile(cache, damage(await fs.readFile(cache)));
    expect(await start(bundle, cache)).toEqual({ use: 'none', said: expect.stringMatching(/^alpha /) });
    expect((await start(bundle, cache)).use).toBe('used');
  });

  it('runs the bundle from its source when V8 refuses the data, and writes a cache it takes', async () => {
    // Data V8 made for another source, under a first line naming this one: V8 sees the source differs in length.
    const other = await bundleIn('alpha');
    await start(other.bundle, other.cache);
    const { bundle, cache } = await bundleIn('a longer tag');
    const { header, data } = await readCache(other.cache);
    header[3] = sha1(await fs.readFile(bundle));
    await fs.writeFile(cache, Buffer.concat([Buffer.from(`${header.join(' ')}\n`, 'latin1'), data]));
    expect(await start(bundle, cache)).toEqual({ use: 'rejected', said: expect.stringMatching(/^a longer tag /) });
    expect((await start(bundle, cache)).use).toBe('used');
  });

  it("lets the bundle import() ES modules through Node's own loader, relative to the bundle", async () => {
    const { bundle, dir } = await bundleIn('alpha');
    await fs.writeFile(path.join(dir, 'esm.mjs'), 'export const answer = 42;\n');
    await fs.writeFile(bundle, "module.exports = { loaded: import('./esm.mjs'), builtin: import('node:path') };\n");
    const exported: { loaded?: Promise<{ answer: number }>; builtin?: Promise<{ sep: string }> } = {};
    (globalThis as { codeCacheTestExports?: object }).codeCacheTestExports = exported;
    await fs.appendFile(bundle, 'Object.assign(globalThis.codeCacheTestExports, module.exports);\n');
    runWithCodeCache(bundle, path.join(dir, 'cache'));
    expect((await exported.loaded!).answer).toBe(42);
    expect((await exported.builtin!).sep).toBe(path.sep);
  });

  it('runs the bundle and goes on when the cache cannot be written, leaving no file behind', async () => {
    const { bundle, dir } = await bundleIn('alpha');
    // Its folder would be a file: mkdir fails (as root too, where permissions do not).
    await fs.writeFile(path.join(dir, 'blocked'), '');
    const cache = path.join(dir, 'blocked', 'bundle.cjs.v8cache');
    expect(await start(bundle, cache)).toEqual({ use: 'none', said: expect.stringMatching(/^alpha /) });
    expect(await fs.readdir(dir)).toEqual(['blocked', 'bundle.cjs']);
  });

  it('is kept beside the bundle when its folder is writable, else in the user cache folder, one file per bundle', async () => {
    const { bundle, dir } = await bundleIn('alpha');
    expect(cacheFileFor(bundle)).toBe(`${bundle}.v8cache`);
    const home = await tempDir('teamstate-cache-home-');
    const unwritable = path.join(dir, 'missing', 'bundle.cjs');
    const elsewhere = cacheFileFor(unwritable, { XDG_CACHE_HOME: home, LOCALAPPDATA: home });
    expect(path.dirname(elsewhere)).toBe(process.platform === 'darwin' ? path.join(os.homedir(), 'Library', 'Caches', 'teamstate') : path.join(home, 'teamstate'));
    expect(elsewhere).toMatch(/[0-9a-f]{16}\.v8cache$/);
    expect(cacheFileFor(path.join(dir, 'other', 'bundle.cjs'), { XDG_CACHE_HOME: home, LOCALAPPDATA: home })).not.toBe(elsewhere);
  });
});

describe('the start path done (src/cli/start-path.ts)', () => {
  it('calls what the launcher set once, and nothing when nothing listens', () => {
    const calls: string[] = [];
    onStartPathDone(() => calls.push('saved'));
    startPathDone();
    startPathDone();
    expect(calls).toEqual(['saved']);
  });
});

describe("the launcher's choice of build (showsUi)", () => {
  it.each([
    [['start'], true, true],
    [['start', '--workspace', 'w', '--init'], true, true],
    [['demo', '--pace', '100'], true, true],
    [['start', '--headless'], true, false],
    [['demo', '--headless'], true, false],
    [['start'], false, false],
    [['demo'], false, false],
    [['send', '--to', 'x'], true, false],
    [['--help'], true, false],
    [[], true, false],
  ])('%j with a terminal %s: the UI %s', (argv, terminal, ui) => {
    expect(showsUi(argv, terminal)).toBe(ui);
  });
});
