#!/usr/bin/env node
// `npm run prepare`, run by npm after `npm ci` / `npm install` in this folder and by
// `npm install -g .`. Builds dist/ with the TypeScript compiler when it is installed
// here, then bundles the CLI into dist/bundle/ (scripts/bundle.mjs, esbuild): the bin.
// A global install links this folder without installing its dependencies: the build
// `npm ci` made is then used as it is, or this says what to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const built = path.join(root, 'dist', 'bundle', 'main.js');

if (existsSync(tsc)) {
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const b = spawnSync(process.execPath, [path.join(root, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
  process.exit(b.status ?? 1);
}
if (existsSync(built) && existsSync(path.join(root, 'node_modules'))) {
  process.stdout.write(`teamstate: using the build in ${path.join(root, 'dist')} (the compiler is not installed here)\n`);
  process.exit(0);
}
process.stderr.write(
  `teamstate: ${root} has no build and no dependencies yet. Run \`npm ci\` in it first (it installs them and builds), then \`npm install -g .\` again.\n`,
);
process.exit(1);
