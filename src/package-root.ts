import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding teamstate's package.json, found by walking up from this module, so
 * it is the same from the sources (tsx, vitest) and from the build (dist/src).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`teamstate's package folder was not found above ${fileURLToPath(import.meta.url)}`);
}

/** The fake LLM CLI shipped for demos and tests. */
export const fakeLlmPath = (): string => join(packageRoot(), 'scripts', 'fake-llm.mjs');
