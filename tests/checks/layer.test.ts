import { describe, expect, it } from 'vitest';
import { checkProject } from '../../src/checks/index.js';
import { fire, project } from './helpers.js';

const EP = 'app/api/v1/endpoints/users.py';
const SVC = 'app/services/UserService.py';
const LAYER = ['layer-endpoint-repository', 'layer-endpoint-session', 'layer-service-http', 'layer-endpoint-logic'];

describe('layer compliance', () => {
  it('reports an endpoint that builds a repository itself (the session passed to it is the repository\'s business)', async () => {
    expect(
      await fire({
        [EP]: `
          from fastapi import APIRouter, Depends
          from sqlalchemy.ext.asyncio import AsyncSession
          from app.config.database import get_db
          from app.repositories.UserRepository import UserRepository

          router = APIRouter()

          @router.get("/{id}")
          async def get_user(id: int, db: AsyncSession = Depends(get_db)) -> dict:
              user = await UserRepository(db).get(id)
              return {"code": 200, "data": user, "message": "ok"}
          `,
      }, LAYER),
    ).toEqual([`layer-endpoint-repository ${EP}:10`]);
  });

  it('reports an endpoint that uses its session (SessionDep, Annotated), not one that passes it to a service or a domain ChatSession', async () => {
    expect(
      await fire({
        [EP]: `
          from app.api.deps import SessionDep
          from app.models.ChatSession import ChatSession

          @router.get("/a")
          async def a(db: SessionDep, chat: ChatSession) -> dict:
              return create_success_response(data=db.exec(q).all())

          @router.get("/b")
          async def b(db: Annotated[AsyncSession, Depends(get_db)]) -> dict:
              await db.commit()
              return create_success_response(data=None)

          @router.get("/c")
          async def c(db: SessionDep, chat: ChatSession) -> dict:
              return create_success_response(data=await chat_service.get(db, chat.id))
          `,
        'app/services/ChatService.py': 'class ChatService:\n    pass\n',
      }, LAYER),
    ).toEqual([`layer-endpoint-session ${EP}:6`, `layer-endpoint-session ${EP}:10`]);
  });

  it('reports a repository import alone; a sqlalchemy import only when a query is built with it', async () => {
    expect(
      await fire({
        [EP]: `
          from sqlalchemy import select
          from app.repositories import UserRepository

          @router.get("/a")
          async def a(service: UserService = Depends(get_service)) -> dict:
              return create_success_response(data=await service.run(select(User)))
          `,
      }, LAYER),
    ).toEqual([`layer-endpoint-repository ${EP}:2`, `layer-endpoint-session ${EP}:6`]);
  });

  it('makes the endpoint rules advisory where the project has no service layer, and blocking where it has one', async () => {
    const ep = `
      from app import crud

      @router.get("/a")
      async def a(session: SessionDep) -> dict:
          return create_success_response(data=crud.get_user(session=session))
      `;
    const dir = await project({ [EP]: ep, 'app/crud.py': 'def get_user(session):\n    return None\n' });
    const without = (await checkProject(dir, { rules: LAYER })).findings;
    expect(without.map((f) => [f.rule, f.line, f.blocking])).toEqual([['layer-endpoint-repository', 5, false]]);
    expect(without[0]!.why).toContain('no service layer');
    const withServices = await project({ [EP]: ep, 'app/crud.py': 'def get_user(session):\n    return None\n', 'app/services/UserService.py': 'class UserService:\n    pass\n' });
    expect((await checkProject(withServices, { rules: LAYER })).findings.map((f) => [f.rule, f.line, f.blocking])).toEqual([['layer-endpoint-repository', 5, true]]);
  });

  it('checks a router.py that defines routes, and finds services in feature folders', async () => {
    expect(
      await fire({
        'app/goals/router.py': `
          @router.get("/a")
          async def a(db: SessionDep) -> dict:
              return create_success_response(data=db.query(Goal).all())
          `,
        'app/goals/GoalsService.py': `
          from fastapi import HTTPException

          class GoalsService:
              def get(self, id: int) -> None:
                  raise HTTPException(
                      status_code=404,
                      detail="no goal",
                  )
          `,
        'app/goals/GoalsRepository.py': `
          class GoalsRepository:
              def get(self, id: int) -> None:
                  raise HTTPException(status_code=404)
          `,
      }, LAYER),
    ).toEqual(['layer-service-http app/goals/GoalsRepository.py:3', 'layer-service-http app/goals/GoalsService.py:5', 'layer-endpoint-session app/goals/router.py:3']);
  });

  it('leaves dependency wiring in the endpoints folder alone', async () => {
    expect(
      await fire({
        'app/api/v1/endpoints/dependencies.py': `
          from fastapi import Depends
          from app.repositories.UserRepository import UserRepository
          async def get_repo(db: AsyncSession = Depends(get_db)) -> UserRepository:
              return UserRepository(db)
          `,
      }, LAYER),
    ).toEqual([]);
  });

  it('reports HTTP status codes and an unused HTTPException import in a service, not domain errors', async () => {
    expect(
      await fire({
        [SVC]: `
          from fastapi import status
          from app.core.exceptions import NotFoundError

          class UserService:
              async def get(self, id: int) -> None:
                  raise NotFoundError("User", id)

              def code(self) -> int:
                  return status.HTTP_404_NOT_FOUND
          `,
        'app/services/ItemService.py': `
          from fastapi import HTTPException

          class ItemService:
              pass
          `,
      }, LAYER),
    ).toEqual(['layer-service-http app/services/ItemService.py:1', `layer-service-http ${SVC}:9`]);
  });

  it('allows delegating, guards that only raise, and try blocks that map errors; reports comparisons, with blocks and handlers that work', async () => {
    const endpoint = (body: string): Record<string, string> => ({
      [EP]: [
        'from fastapi import APIRouter',
        'router = APIRouter()',
        '',
        '@router.get("/{id}")',
        'async def get_user(id: int, service: UserService = Depends(get_user_service)) -> dict:',
        ...body.split('\n').map((l) => `    ${l}`),
        '    return create_success_response(data=user)',
        '',
      ].join('\n'),
    });
    expect(await fire(endpoint('user = await service.get(id)\nif not user:\n    raise HTTPException(404)'), LAYER)).toEqual([]);
    expect(await fire(endpoint('try:\n    user = await service.get(id)\nexcept NotFoundError as e:\n    raise HTTPException(404, str(e))'), LAYER)).toEqual([]);
    expect(await fire(endpoint('user = await service.get(id)\nif user.age < 18:\n    raise HTTPException(403)'), LAYER)).toEqual([`layer-endpoint-logic ${EP}:7`]);
    expect(await fire(endpoint('with open("x") as fh:\n    user = fh.read()'), LAYER)).toEqual([`layer-endpoint-logic ${EP}:6`]);
    expect(await fire(endpoint('try:\n    user = await service.get(id)\nexcept KeyError:\n    user = None'), LAYER)).toEqual([`layer-endpoint-logic ${EP}:8`]);
  });
});
