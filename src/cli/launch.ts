#!/usr/bin/env node
// First: compiler settings apply to what is compiled after them, and V8 takes a code cache
// only under the flags it was made with.
import './v8-tuning.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runWithCodeCache } from './code-cache.js';
import { showsUi } from './commands/index.js';

/**
 * The `teamstate` command as shipped (dist/bundle/main.js, scripts/bundle.mjs). Every
 * command runs from cli.cjs, the CLI as one CommonJS file, compiled with V8's code cache of
 * it (src/cli/code-cache.ts); the terminal UI runs from the ES-module build (cli.js and its
 * chunks), as ink has top-level awaits a CommonJS file cannot hold. Without cli.cjs beside
 * it (tsc's output), the ES-module CLI runs.
 */
const bundle = fileURLToPath(new URL('./cli.cjs', import.meta.url));
if (showsUi(process.argv.slice(2), process.stdout.isTTY === true) || !existsSync(bundle)) await import('./main.js');
else runWithCodeCache(bundle);
