import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProject, dependencyBaseline } from '../../src/checks/index.js';
import { parsePyproject, parseRequirements } from '../../src/checks/deps.js';
import { project } from './helpers.js';

const PYPROJECT = `[project]
name = "x"
dependencies = [
    "fastapi>=0.128.0",  # web
    'SQLAlchemy[asyncio] >= 2.0',
]

[project.optional-dependencies]
dev = ["pytest>=8"]

[tool.poetry.dependencies]
python = "^3.11"
httpx = "^0.27"
`;

describe('dependencies added during a run', () => {
  it('reads pyproject tables and requirements lines, normalising names', () => {
    expect(parsePyproject(PYPROJECT).map((d) => [d.name, d.spec, d.line])).toEqual([
      ['fastapi', 'fastapi>=0.128.0', 4],
      ['sqlalchemy', 'SQLAlchemy[asyncio]>=2.0', 5],
      ['pytest', 'pytest>=8', 9],
      ['httpx', '"^0.27"', 13],
    ]);
    expect(parseRequirements('-r base.txt\n# c\nRequests==2.31  # http\n\n--index-url x\nuvicorn[standard]\n').map((d) => [d.name, d.line])).toEqual([
      ['requests', 3],
      ['uvicorn', 6],
    ]);
  });

  it('reports an added and a changed dependency at their lines, and none that were approved', async () => {
    const dir = await project({ 'pyproject.toml': PYPROJECT, 'requirements.txt': 'redis==5.0\n' });
    const baseline = await dependencyBaseline(dir);
    await fs.writeFile(path.join(dir, 'pyproject.toml'), PYPROJECT.replace('"fastapi>=0.128.0",', '"fastapi>=0.130.0",\n    "requests>=2",\n    "boto3",'));
    const r = await checkProject(dir, { baseline, approvedDependencies: ['Boto3'] });
    expect(r.findings.map((f) => [f.rule, f.file, f.line, f.why])).toEqual([
      ['no-unapproved-dependency', 'pyproject.toml', 4, 'fastapi changed from fastapi>=0.128.0 to fastapi>=0.130.0 after the run began, without the conductor\'s approval.'],
      ['no-unapproved-dependency', 'pyproject.toml', 5, 'requests was added to pyproject.toml after the run began, without the conductor\'s approval.'],
    ]);
  });

  it('does not count a dependency moved between files, and reports a new requirements file', async () => {
    const dir = await project({ 'requirements.txt': 'redis==5.0\n' });
    const baseline = await dependencyBaseline(dir);
    await fs.writeFile(path.join(dir, 'requirements.txt'), '');
    await fs.mkdir(path.join(dir, 'requirements'));
    await fs.writeFile(path.join(dir, 'requirements', 'prod.txt'), 'redis==5.0\nsentry-sdk\n');
    const r = await checkProject(dir, { baseline });
    expect(r.findings.map((f) => `${f.file}:${f.line} ${f.code}`)).toEqual(['requirements/prod.txt:2 sentry-sdk']);
  });

  it('checks nothing about dependencies without a baseline', async () => {
    const dir = await project({ 'requirements.txt': 'redis==5.0\n' });
    expect((await checkProject(dir)).findings).toEqual([]);
  });
});
