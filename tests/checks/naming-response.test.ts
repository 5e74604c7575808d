import { describe, expect, it } from 'vitest';
import { checkPlannedFiles, checkProject } from '../../src/checks/index.js';
import { fire, project } from './helpers.js';

const NAMING = ['naming-model', 'naming-schema', 'naming-repository', 'naming-service'];

describe('file naming', () => {
  it('checks a plan\'s files before they exist and says what each should be called', () => {
    const findings = checkPlannedFiles([
      'app/models/User.py',
      'app/schemas/UserSchema.py',
      './app/services/user_service.py',
      'app/repositories/users.py',
      'app/api/v1/endpoints/users.py',
      'app/models/__init__.py',
      'tests/fixtures/UserService.py',
    ]);
    expect(findings.map((f) => [f.rule, f.file, f.line, f.fix])).toEqual([
      ['naming-service', 'app/services/user_service.py', 0, 'Rename it to app/services/UserService.py.'],
      ['naming-repository', 'app/repositories/users.py', 0, 'Rename it to app/repositories/UserRepository.py.'],
    ]);
  });

  it('says where a planned file named for another layer belongs', () => {
    const findings = checkPlannedFiles(['app/services/UserRepository.py', 'app/core/ItemService.py']);
    expect(findings.map((f) => [f.rule, f.file, f.fix])).toEqual([
      ['naming-repository', 'app/services/UserRepository.py', 'Move it to app/repositories/UserRepository.py.'],
      ['naming-service', 'app/core/ItemService.py', 'Move it to app/services/ItemService.py.'],
    ]);
  });

  it('does not tell an existing file to move (feature folders keep their services beside their routes)', async () => {
    expect(
      await fire({ 'app/services/UserService.py': 'class UserService:\n    pass\n', 'app/goals/GoalsService.py': 'class GoalsService:\n    pass\n' }, NAMING),
    ).toEqual([]);
  });

  it('names the file after its class, leaves helper and function modules alone, and asks for names that agree', async () => {
    const dir = await project({
      'app/models/UserModel.py': 'class User(Base):\n    pass\n',
      'app/models/Item.py': 'class Item(Base):\n    pass\n',
      'app/models/Order.py': 'class Order(Base):\n    pass\n',
      'app/models/BaseModel.py': 'class BaseModel(DeclarativeBase):\n    pass\n',
      'app/models/rwmodel.py': 'class RWModel(BaseModel):\n    pass\n',
      'app/models/status.py': 'class Status(str, Enum):\n    A = "a"\n',
      'app/schemas/GenericSchema.py': 'class GenericSchema(BaseModel):\n    pass\n',
      'app/services/users.py': 'def get_user(id: int) -> None:\n    return None\n',
      'app/services/UserService.py': 'class UsersService:\n    pass\n',
      'app/services/ItemService.py': 'class ItemService:\n    pass\n',
    });
    const r = await checkProject(dir, { rules: NAMING });
    expect(r.findings.map((f) => [f.rule, f.file, f.fix, f.blocking])).toEqual([
      ['naming-model', 'app/models/UserModel.py', 'Rename it to app/models/User.py.', true],
      ['naming-service', 'app/services/UserService.py', 'Rename it to app/services/UsersService.py.', true],
    ]);
  });

  it('only advises on naming where the project has not adopted the convention, unless the config enforces it', async () => {
    const files = {
      'app/models/user.py': 'class User(Base):\n    pass\n',
      'app/models/item.py': 'class Item(Base):\n    pass\n',
      'app/models/Order.py': 'class Order(Base):\n    pass\n',
    };
    const r = await checkProject(await project(files), { rules: NAMING });
    expect(r.findings.map((f) => [f.file, f.blocking])).toEqual([['app/models/item.py', false], ['app/models/user.py', false]]);
    expect(r.notes.join('\n')).toContain('models naming is advisory: 1 of 3');
    const enforced = await checkProject(await project(files), { rules: NAMING, config: { layout: {}, disabled: [], conventions: { naming: 'enforce' } } });
    expect(enforced.findings.map((f) => f.blocking)).toEqual([true, true]);
  });

  it('honours the config\'s disabled rules in a plan check', () => {
    const findings = checkPlannedFiles(['app/services/user_service.py'], { layout: {}, disabled: [{ rule: 'naming-service', reason: 'legacy module names' }] });
    expect(findings).toEqual([]);
  });

  it('reports an entity file without its class, and leaves helper modules alone', async () => {
    expect(
      await fire({
        'app/models/User.py': 'class Users(Base):\n    pass\n',
        'app/models/base.py': 'class Base:\n    pass\n',
        'app/models/__init__.py': '',
        'app/services/UserService.py': 'class UserService:\n    pass\n',
        'app/schemas/UserSchema.py': 'class UserResponse(BaseModel):\n    id: int\n',
      }, NAMING),
    ).toEqual(['naming-model app/models/User.py:1']);
  });
});

describe('response format', () => {
  const EP = 'app/api/v1/endpoints/files.py';
  const endpoint = (decorator: string, body: string): string =>
    ['from fastapi import APIRouter', 'router = APIRouter()', '', decorator, 'async def f(id: int) -> dict:', ...body.split('\n').map((l) => `    ${l}`), ''].join('\n');

  it.each([
    ['a helper', '@router.get("/a")', 'return create_success_response(data=id)'],
    ['the envelope literal', '@router.get("/a")', 'return {"code": 200, "data": id, "message": "ok"}'],
    ['JSONResponse of the envelope', '@router.get("/a")', 'return JSONResponse(status_code=201, content={"code": 201, "data": id, "message": "ok"})'],
    ['a file', '@router.get("/a")', 'return FileResponse(path)'],
    ['a variable holding the envelope', '@router.get("/a")', 'body = create_success_response(data=id)\nreturn body'],
    ['either envelope of a conditional', '@router.get("/a")', 'return create_success_response(data=id) if id else create_error_response("none", 404)'],
    ['None with 204', '@router.delete("/a", status_code=status.HTTP_204_NO_CONTENT)', 'await service.delete(id)\nreturn None'],
  ])('accepts %s', async (_what, decorator, body) => {
    expect(await fire({ [EP]: endpoint(decorator, body) }, ['response-envelope'])).toEqual([]);
  });

  it.each([
    ['a bare dict', '@router.get("/a")', 'return {"id": id}', 6],
    ['JSONResponse without the envelope', '@router.get("/a")', 'return JSONResponse(content={"ok": True})', 6],
    ['None without 204', '@router.get("/a")', 'return None', 6],
    ['nothing', '@router.get("/a")', 'await service.touch(id)', 5],
    ['a service result', '@router.get("/a")', 'return await service.get(id)', 6],
    ['a conditional with one bare branch', '@router.get("/a")', 'return create_success_response(data=id) if id else {"error": 1}', 6],
  ])('reports %s', async (_what, decorator, body, line) => {
    expect(await fire({ [EP]: endpoint(decorator, body) }, ['response-envelope'])).toEqual([`response-envelope ${EP}:${line}`]);
  });
});
