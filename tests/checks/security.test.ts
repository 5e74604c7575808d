import { describe, expect, it } from 'vitest';
import { fire } from './helpers.js';

const F = 'app/core/db.py';

describe('security basics', () => {
  it('reports SQL built with +, % and .format, and lower-case SQL only when it goes into execute', async () => {
    expect(
      await fire({
        [F]: `
          async def q(db: Session, name: str, id: int) -> None:
              await db.execute("SELECT * FROM users WHERE name = '" + name + "'")
              await db.execute(text("SELECT * FROM users WHERE id = %s" % id))
              await db.execute(text("DELETE FROM users WHERE id = {}".format(id)))
              await db.execute("select * from users where name = " + name)
              label = "Select a file from the list: " + name
              await db.execute(text("SELECT * FROM users WHERE id = :id"), {"id": id})
          `,
      }, ['no-raw-sql']),
    ).toEqual([`no-raw-sql ${F}:2`, `no-raw-sql ${F}:3`, `no-raw-sql ${F}:4`, `no-raw-sql ${F}:5`]);
  });

  it('reports literal secrets and credential URLs, not names that only mention them', async () => {
    expect(
      await fire({
        [F]: `
          import os
          API_KEY = "abc123"
          SECRET_KEY = os.environ["SECRET_KEY"]
          DATABASE_URL = "postgresql+asyncpg://app:hunter2@db/app"
          token_type = "bearer"
          PASSWORD_MIN_LENGTH = 8
          PASSWORD_ERROR_MESSAGE = "Password too short"
          client = Client(client_secret="s3cr3t")
          empty_password = ""
          `,
      }, ['no-hardcoded-secret']),
    ).toEqual([`no-hardcoded-secret ${F}:2`, `no-hardcoded-secret ${F}:4`, `no-hardcoded-secret ${F}:8`]);
  });

  it('reports wildcard origins in the middleware, in settings and passed on from settings (allowed_hosts); not wildcard methods or headers', async () => {
    expect(
      await fire({
        [F]: `
          CORS_ORIGINS: list[str] = ["*"]
          app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS, allow_methods=["*"])
          app.add_middleware(CORSMiddleware, allow_origins=("https://a.example", "*"))
          CORS_HEADERS = ["*"]
          `,
        'app/core/config.py': 'class Settings(BaseSettings):\n    allowed_hosts: list[str] = ["*"]\n',
        'app/main.py': 'app.add_middleware(CORSMiddleware, allow_origins=settings.allowed_hosts)\n',
      }, ['no-wildcard-cors']),
    ).toEqual([`no-wildcard-cors ${F}:1`, `no-wildcard-cors ${F}:2`, `no-wildcard-cors ${F}:3`, 'no-wildcard-cors app/main.py:1']);
  });

  it('reports DEBUG = True and echo=True, not DEBUG = False', async () => {
    expect(
      await fire({
        [F]: `
          DEBUG: bool = True
          debug = False
          engine = create_async_engine(URL, echo=True)
          `,
      }, ['no-debug']),
    ).toEqual([`no-debug ${F}:1`, `no-debug ${F}:3`]);
  });

  it('reports a sensitive field a response schema inherits, at the schema, and allows tokens in a token response', async () => {
    const S = 'app/schemas/UserSchema.py';
    expect(
      await fire({
        [S]: `
          class UserBase(BaseModel):
              email: str
              password: str

          class UserCreate(UserBase):
              pass

          class UserResponse(UserBase):
              id: int

          class TokenResponse(BaseModel):
              access_token: str
              token_type: str = "bearer"
          `,
      }, ['no-secret-in-response']),
    ).toEqual([`no-secret-in-response ${S}:8`]);
  });
});
