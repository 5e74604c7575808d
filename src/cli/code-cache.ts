import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { onStartPathDone } from './start-path.js';

/**
 * The cache file's first line: this format, the Node it was made by, the SHA-1 of the
 * bundle it was made from and of the V8 data after the line. V8 checks its own version and
 * flags, but of the source only its length, and of the data no checksum outside debug
 * builds: a rebuilt bundle of the same length, or a damaged file, would be taken as good.
 */
const FORMAT = 'teamstate-code-cache-1';

/** What became of the cache at a start: none found (or not for this bundle), used, or refused by V8. */
export type CacheUse = 'none' | 'used' | 'rejected';

const sha1 = (data: Buffer): string => createHash('sha1').update(data).digest('hex');
const header = (sourceHash: string, data: Buffer): string => `${FORMAT} ${process.version} ${process.arch} ${sourceHash} ${sha1(data)}`;

/**
 * Where the code cache of `bundle` is kept: beside it when its folder is writable, else
 * in the user's cache folder (an install root owns), one file per installed bundle.
 */
export function cacheFileFor(bundle: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    accessSync(path.dirname(bundle), constants.W_OK);
    return `${bundle}.v8cache`;
  } catch {
    const home = os.homedir();
    const base =
      process.platform === 'win32' ? (env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'))
      : process.platform === 'darwin' ? path.join(home, 'Library', 'Caches')
      : (env.XDG_CACHE_HOME ?? path.join(home, '.cache'));
    return path.join(base, 'teamstate', `${sha1(Buffer.from(bundle)).slice(0, 16)}.v8cache`);
  }
}

/** The V8 data in `file` when it was made by this Node from the source hashed `sourceHash` and is whole. */
function readCache(file: string, sourceHash: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const end = bytes.indexOf(10);
  if (end < 0) return undefined;
  const data = bytes.subarray(end + 1);
  return bytes.toString('latin1', 0, end) === header(sourceHash, data) ? data : undefined;
}

/**
 * Writes the cache whole or not at all (a temp file renamed over it); a folder that cannot
 * be written, or V8 failing to make the data, leaves no cache, and no error.
 */
function writeCache(file: string, sourceHash: string, make: () => Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const data = make();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, Buffer.concat([Buffer.from(`${header(sourceHash, data)}\n`, 'latin1'), data]));
    renameSync(temp, file);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing was written, or it cannot be removed either.
    }
  }
}

/**
 * Runs the CommonJS bundle `bundle` as Node would (module, require, __filename), compiled
 * with V8's code cache of it from `cacheFile` when there is a good one: V8 then
 * deserializes the functions the last start compiled instead of parsing and compiling
 * them again. When there was none, or V8 refused it (another Node, other V8 flags), a new
 * one is written once the start path has run (startPathDone), with every function
 * compiled up to READY; other commands only use it. The cache is only ever an addition:
 * missing, stale, damaged or unwritable, the bundle runs from its source.
 */
export function runWithCodeCache(bundle: string, cacheFile = cacheFileFor(bundle)): CacheUse {
  const source = readFileSync(bundle);
  const sourceHash = sha1(source);
  const cachedData = readCache(cacheFile, sourceHash);
  const text = source.toString();
  // As Node wraps a CommonJS module, on the same line (the bundle's line numbers hold); a first #! line made a comment.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${text.startsWith('#!') ? `//${text.slice(2)}` : text}\n})`;
  // import() from the bundle goes to Node's own loader, as from a module (none is left in cli.cjs today).
  const script = new vm.Script(wrapped, { filename: bundle, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  const use: CacheUse = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  if (use !== 'used') onStartPathDone(() => setImmediate(() => writeCache(cacheFile, sourceHash, () => script.createCachedData())));
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  return use;
}
