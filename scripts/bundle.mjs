#!/usr/bin/env node
// The `teamstate` command as shipped: the compiler's output (dist/src) bundled by esbuild
// into dist/bundle/, its dependencies included. Node then reads a handful of files at start
// instead of ~230 modules, and zod's locales and unused code are left out (its namespace is
// imported as `import * as z`, which esbuild can shake). Three builds:
// - main.js, the bin: the launcher (src/cli/launch.ts), which picks one of the two below;
// - cli.cjs: the CLI as one CommonJS file, without the terminal UI, run with V8's code
//   cache of it (src/cli/code-cache.ts): every command but the UI;
// - cli.js and its chunks: the CLI as ES modules, what a command loads on first use (the
//   UI, the step runner, the Python checks) a chunk loaded only then: the UI's commands.
// Run by `npm run build`, after tsc.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliDir = path.join(root, 'dist', 'src', 'cli');
const outdir = path.join(root, 'dist', 'bundle');

if (!existsSync(path.join(cliDir, 'launch.js'))) {
  process.stderr.write(`teamstate: ${path.join(cliDir, 'launch.js')} is missing; run \`npm run build\` (tsc first, then this)\n`);
  process.exit(1);
}

/** `import(from)` is left to Node, as `import(to)` (a file of another of the builds). */
const elsewhere = (from, to) => ({ name: `external ${from}`, setup: (b) => b.onResolve({ filter: from }, () => ({ path: to, external: true })) });

/** The terminal UI's module, in a build that cannot hold it: a stand-in that says so. */
const noUi = {
  name: 'no UI',
  setup(b) {
    b.onResolve({ filter: /[\\/]ui[\\/]run-ui\.js$/ }, () => ({ path: 'run-ui', namespace: 'no-ui' }));
    b.onLoad({ filter: /.*/, namespace: 'no-ui' }, () => ({
      contents: "export function runUi() { throw new Error('the terminal UI is not in cli.cjs: dist/bundle/main.js runs it from cli.js'); }",
    }));
  },
};

const common = {
  bundle: true,
  outdir,
  platform: 'node',
  target: 'node20',
  // jsonc-parser's `main` is a UMD build that requires its parts by computed paths; its ESM build bundles.
  mainFields: ['module', 'main'],
  // ink imports it only when DEV is set (React devtools); it is not a dependency.
  external: ['react-devtools-core'],
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
};
// CommonJS dependencies (commander, proper-lockfile) require Node's built-ins.
const esmRequire = { js: "import { createRequire as __teamstateRequire } from 'node:module'; const require = __teamstateRequire(import.meta.url);" };

rmSync(outdir, { recursive: true, force: true });
await build({ ...common, entryPoints: { main: path.join(cliDir, 'launch.js') }, format: 'esm', banner: esmRequire, plugins: [elsewhere(/^\.\/main\.js$/, './cli.js')] });
await build({
  ...common,
  entryPoints: { cli: path.join(cliDir, 'main.js') },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  define: { 'import.meta.url': '__teamstateUrl' },
  banner: { js: "const __teamstateUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [noUi],
});
await build({ ...common, entryPoints: { cli: path.join(cliDir, 'main.js') }, splitting: true, format: 'esm', banner: esmRequire });
