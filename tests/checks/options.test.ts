import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { checkProject } from '../../src/checks/index.js';
import { project, where } from './helpers.js';

describe('layout and options', () => {
  it('finds a src/<package> layout with routers instead of api/v1/endpoints', async () => {
    const dir = await project({
      'src/shop/routers/users.py': 'from shop.repositories.UserRepository import UserRepository\n\n\ndef count() -> int:\n    return UserRepository().count()\n',
      'src/shop/services/UserService.py': '',
      'src/shop/repositories/UserRepository.py': '',
      'src/shop/models/User.py': '',
      'src/shop/schemas/UserSchema.py': '',
    });
    const r = await checkProject(dir, { rules: ['layer-endpoint-repository'] });
    expect(r.layout).toMatchObject({ root: 'src/shop', endpoints: ['src/shop/routers'], services: ['src/shop/services'], from: 'found' });
    expect(where(r.findings)).toEqual(['layer-endpoint-repository src/shop/routers/users.py:5']);
  });

  it('uses the folders a project names in its config', async () => {
    const dir = await project({
      'backend/http/users.py': 'from backend.data.UserRepository import UserRepository\n\n\ndef count() -> int:\n    return UserRepository().count()\n',
      'backend/data/UserRepository.py': 'class UserRepository:\n    pass\n',
      'backend/domain/users.py': 'class UserService:\n    pass\n',
    });
    const r = await checkProject(dir, {
      rules: ['layer-endpoint-repository', 'naming-service', 'naming-repository'],
      config: { layout: { root: 'backend', endpoints: ['http'], services: ['domain'], repositories: ['data'] }, disabled: [] },
    });
    expect(r.layout).toMatchObject({ root: 'backend', endpoints: ['backend/http'], services: ['backend/domain'], repositories: ['backend/data'], from: 'config' });
    expect(where(r.findings)).toEqual(['naming-service backend/domain/users.py:1', 'layer-endpoint-repository backend/http/users.py:5']);
  });

  it('switches rules off with the config\'s reason, and notes an unknown rule there', async () => {
    const dir = await project({ 'app/core/x.py': 'DEBUG = True\nAPI_KEY = "k"\n' });
    const r = await checkProject(dir, {
      agents: ['security-auditor'],
      config: { layout: {}, disabled: [{ rule: 'no-debug', reason: 'a local demo' }, { rule: 'no-such-rule', reason: 'typo' }] },
    });
    expect(where(r.findings)).toEqual(['no-hardcoded-secret app/core/x.py:2']);
    expect(r.disabled).toEqual([{ rule: 'no-debug', reason: 'a local demo' }]);
    expect(r.rules).not.toContain('no-debug');
    expect(r.notes).toEqual([expect.stringContaining('unknown rule "no-such-rule"')]);
  });

  it('limits the check to one agent\'s rules, or to given files', async () => {
    const dir = await project({ 'app/core/a.py': 'def f(x):\n    pass\nDEBUG = True\n', 'app/core/b.py': 'DEBUG = True\n' });
    expect(where((await checkProject(dir, { agents: ['code-reviewer'] })).findings)).toEqual(['type-hints app/core/a.py:1']);
    const only = await checkProject(dir, { files: [path.join(dir, 'app/core/b.py')] });
    expect(only.filesChecked).toBe(1);
    expect(where(only.findings)).toEqual(['no-debug app/core/b.py:1']);
  });

  it('notes a given file that does not exist instead of failing', async () => {
    const dir = await project({ 'app/core/b.py': 'DEBUG = True\n' });
    const r = await checkProject(dir, { files: ['app/core/gone.py', 'app/core/b.py'] });
    expect(where(r.findings)).toEqual(['no-debug app/core/b.py:1']);
    expect(r.notes).toEqual(['app/core/gone.py: no such file; it was not checked']);
  });

  it('refuses an unknown rule id, listing the known ones', async () => {
    const dir = await project({});
    await expect(checkProject(dir, { rules: ['no-such'] })).rejects.toThrow(UserError);
    await expect(checkProject(dir, { rules: ['no-such'] })).rejects.toThrow(/unknown rule "no-such": expected one of layer-endpoint-repository, /);
  });

  it('refuses a project folder that does not exist', async () => {
    await expect(checkProject('/nonexistent/teamstate-project')).rejects.toThrow(/is not a folder/);
  });

  it('reports files it cannot parse, with the line, and keeps checking the rest', async () => {
    const dir = await project({ 'app/core/ok.py': 'DEBUG = True\n' });
    await fs.writeFile(path.join(dir, 'app/core/bad.py'), Buffer.from([0x64, 0x65, 0x66, 0x28, 0x0a, 0xff, 0xfe, 0x00, 0x29, 0x3a, 0x0a]));
    await fs.writeFile(path.join(dir, 'app/core/half.py'), 'class A(BaseModel:\n    x: int\n');
    const r = await checkProject(dir, { rules: ['no-debug', 'parse-error'] });
    expect(r.unparsable.map((u) => u.file)).toEqual(['app/core/bad.py', 'app/core/half.py']);
    expect(where(r.findings)).toContain('no-debug app/core/ok.py:1');
    expect(r.findings.filter((f) => f.rule === 'parse-error').every((f) => !f.blocking)).toBe(true);
  });

  it('skips virtualenvs, migrations and test files', async () => {
    const dir = await project({
      '.venv/lib/site.py': 'DEBUG = True\n',
      'migrations/versions/1_init.py': 'DEBUG = True\n',
      'app/test_x.py': 'DEBUG = True\n',
      'app/conftest.py': 'DEBUG = True\n',
      'app/main.py': 'DEBUG = True\n',
    });
    expect(where((await checkProject(dir, { rules: ['no-debug'] })).findings)).toEqual(['no-debug app/main.py:1']);
  });
});
