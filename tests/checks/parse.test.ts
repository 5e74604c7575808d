import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePython } from '../../src/checks/parse.js';
import { checkProject } from '../../src/checks/index.js';
import { project } from './helpers.js';

const SYNTAX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/python-syntax');

describe('the Python parser of the checks', () => {
  it('reads valid Python 3.8 to 3.14 without errors: bare yield, empty patterns, parenthesized with, t-strings', async () => {
    for (const name of await fs.readdir(SYNTAX)) {
      const f = parsePython(name, await fs.readFile(path.join(SYNTAX, name), 'utf8'), null);
      const lines = f.errors.map((e) => f.src.slice(0, e).split('\n').length);
      expect({ name, lines }).toEqual({ name, lines: [] });
    }
  });

  it('still finds a real syntax error', () => {
    expect(parsePython('bad.py', 'def f(:\n    pass\n', null).errors.length).toBeGreaterThan(0);
    expect(parsePython('bad.py', 'x = (1,\n', null).errors.length).toBeGreaterThan(0);
  });

  it('does not report a lifespan with a bare yield as unparsable', async () => {
    const dir = await project({
      'app/main.py': `
        from contextlib import asynccontextmanager
        from fastapi import FastAPI


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            yield


        app = FastAPI(lifespan=lifespan)
      `,
    });
    try {
      const r = await checkProject(dir);
      expect(r.unparsable).toEqual([]);
      expect(r.findings.filter((f) => f.rule === 'parse-error')).toEqual([]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
