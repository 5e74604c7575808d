import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { createBuiltinHandler } from '../../src/handlers/builtin.js';
import { parseSubagentReport } from '../../src/handlers/reports.js';
import { request, tempWorld } from './helpers.js';

const EP = 'app/api/v1/endpoints/users.py';
const BYPASS = `from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession
from app.config.database import get_db
from app.repositories.UserRepository import UserRepository

router = APIRouter()

@router.get("/{id}")
async def get_user(id: int, db: AsyncSession = Depends(get_db)) -> dict:
    user = await UserRepository(db).get(id)
    await db.commit()
    return {"code": 200, "data": user, "message": "ok"}
`;

async function put(root: string, rel: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), text);
}

describe('built-in handlers', () => {
  it('runs the architecture checks on the changed files, in the validator report format', async () => {
    const world = await tempWorld();
    await put(world.project, EP, BYPASS);
    // With a service layer to go through, bypassing it blocks (without one it is only advice).
    await put(world.project, 'app/services/UserService.py', 'class UserService:\n    pass\n');
    const req = await request(world, 'architecture-validator', { input: { files: [EP], mode: 'code' } });
    const outcome = await createBuiltinHandler('architecture-validator', undefined)(req);
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    expect(outcome.output.text).toMatch(/^# Architecture Validation Report/);
    expect(outcome.output.findings!.blocking).toBeGreaterThanOrEqual(2);
    expect(outcome.output.text).toContain('Endpoint bypasses Service layer');
    // The report reads back the same way a command's would.
    expect(parseSubagentReport('architecture-validator', outcome.output.text).blocking).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(req.dir, 'report.md'))).toBe(true);
  });

  it('checks the plan files and the do-not-touch list in plan mode', async () => {
    const world = await tempWorld();
    const plan = `### Task: t
- Modified files:
  - app/services/order_service.py — cancel()
  - app/core/security.py — scope
### Dependencies (do not touch)
- app/core/security.py — shared by every router
`;
    const outcome = await createBuiltinHandler('architecture-validator', undefined)(await request(world, 'architecture-validator', { input: { plan, mode: 'plan' } }));
    expect(outcome).toMatchObject({ status: 'done', output: { findings: { counts: { naming: 1, doNotTouch: 1 } } } });
    const text = outcome.status === 'done' ? outcome.output.text : '';
    expect(text).toContain('app/core/security.py (planned)');
    expect(parseSubagentReport('architecture-validator', text).counts.violations).toBe(2);
  });

  it('gives a clean code review on clean code', async () => {
    const world = await tempWorld();
    await put(world.project, 'app/services/UserService.py', 'class UserService:\n    async def get(self, id: int) -> int:\n        return id\n');
    const outcome = await createBuiltinHandler('code-reviewer', undefined)(await request(world, 'code-reviewer', { input: { files: ['app/services/UserService.py'] } }));
    expect(outcome).toMatchObject({ status: 'done', output: { findings: { blocking: 0 } } });
  });

  it('fails the step, with the reason, when the project is not there', async () => {
    const world = await tempWorld();
    const req = { ...(await request(world, 'security-auditor')), projectDir: join(world.root, 'missing') };
    expect(await createBuiltinHandler('security-auditor', undefined)(req)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^the built-in security-auditor checks could not run: .*is not a folder/) });
  });

  it('refuses steps that have no built-in, naming what to use', () => {
    expect(() => createBuiltinHandler('database-architect', undefined)).toThrow(UserError);
    expect(() => createBuiltinHandler('test-generator', undefined)).toThrow(/use \{"kind":"command","argv":\[…\]\} or \{"kind":"manual"\}/);
    expect(() => createBuiltinHandler('plan', 'nonsense')).toThrow(/no built-in named "nonsense"/);
  });
});
