import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'dist', 'bundle', 'main.js');

describe("the CLI's V8 settings (src/cli/v8-tuning.ts)", () => {
  it('are flags this Node knows: V8 says nothing about them when the shipped CLI starts', () => {
    // V8 prints "Error: unrecognized flag" on stderr for a flag it does not know (a renamed one after a Node upgrade).
    const run = spawnSync(process.execPath, [MAIN, '--version'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each(['launch.ts', 'main.ts'])('are applied before anything else %s imports (the launcher: before it compiles cli.cjs, whose code cache holds only under the same flags)', async (file) => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(path.join(ROOT, 'src', 'cli', file), 'utf8');
    const imports = [...source.matchAll(/^import .*$/gm)].map((m) => m[0]);
    expect(imports[0]).toBe("import './v8-tuning.js';");
  });
});
