#!/usr/bin/env node
// The `teamstate` command as shipped: the compiler's output (dist/src/cli/main.js) bundled
// by esbuild into dist/bundle/, its dependencies included. Node then reads a handful of
// files at start instead of ~230 modules, and zod's locales and unused code are left out
// (its namespace is imported as `import * as z`, which esbuild can shake). What a command
// loads on first use (the UI, the step runner, the Python checks) stays a separate chunk,
// loaded only then. Run by `npm run build`, after tsc.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'src', 'cli', 'main.js');
const outdir = path.join(root, 'dist', 'bundle');

if (!existsSync(entry)) {
  process.stderr.write(`teamstate: ${entry} is missing; run \`npm run build\` (tsc first, then this)\n`);
  process.exit(1);
}
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [entry],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // jsonc-parser's `main` is a UMD build that requires its parts by computed paths; its ESM build bundles.
  mainFields: ['module', 'main'],
  // CommonJS dependencies (commander, proper-lockfile) require Node's built-ins.
  banner: { js: "import { createRequire as __teamstateRequire } from 'node:module'; const require = __teamstateRequire(import.meta.url);" },
  // ink imports it only when DEV is set (React devtools); it is not a dependency.
  external: ['react-devtools-core'],
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
