import { describe, expect, it } from 'vitest';
import { fire } from './helpers.js';

const F = 'app/core/util.py';

describe('the never-list', () => {
  it('reports Optional[X] however it is imported, and not X | None', async () => {
    expect(
      await fire({
        [F]: `
          import typing as t
          from typing import Optional
          a: Optional[int] = None
          b: t.Optional[str] = None
          c: int | None = None
          `,
      }, ['no-optional']),
    ).toEqual([`no-optional ${F}:3`, `no-optional ${F}:4`]);
  });

  it('reports Pydantic v1 validators, orm_mode in ConfigDict and .dict(), once per construct', async () => {
    expect(
      await fire({
        [F]: `
          from pydantic import BaseModel, ConfigDict, validator

          class A(BaseModel):
              model_config = ConfigDict(orm_mode=True)

              @validator("name")
              def check(cls, v: str) -> str:
                  return v

          def dump(a: A) -> dict:
              return a.dict()

          def ok(a: A) -> dict:
              return a.model_dump()
          `,
      }, ['no-pydantic-v1']),
    ).toEqual([`no-pydantic-v1 ${F}:4`, `no-pydantic-v1 ${F}:6`, `no-pydantic-v1 ${F}:11`]);
  });

  it('reports blocking calls inside async code only, resolving import aliases', async () => {
    expect(
      await fire({
        [F]: `
          import requests as r
          from time import sleep

          async def a() -> None:
              sleep(1)
              r.get("http://x")

              def inner() -> None:
                  sleep(1)

          def sync() -> None:
              sleep(1)
          `,
      }, ['no-blocking-in-async']),
    ).toEqual([`no-blocking-in-async ${F}:5`, `no-blocking-in-async ${F}:6`]);
  });

  it('asks for every parameter and return type except self/cls and __init__\'s return', async () => {
    expect(
      await fire({
        [F]: `
          class A:
              def __init__(self, x: int):
                  self.x = x

              def m(self) -> int:
                  return self.x

              @staticmethod
              def s(self, *args) -> None:
                  pass

          def f(a, b: int = 1, **kw: str):
              return lambda y: y
          `,
      }, ['type-hints']),
    ).toEqual([`type-hints ${F}:9`, `type-hints ${F}:12`]);
  });

  it('says which hints are missing', async () => {
    const { checkProject } = await import('../../src/checks/index.js');
    const { project } = await import('./helpers.js');
    const dir = await project({ [F]: 'def f(a, *args, b: int):\n    pass\n' });
    const [finding] = (await checkProject(dir, { rules: ['type-hints'] })).findings;
    expect(finding?.why).toBe('def f has no type hint for a, *args, return type.');
  });
});
