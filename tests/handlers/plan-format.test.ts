import { describe, expect, it } from 'vitest';
import { checkPlanFormat, FACTS_KEPT, planFacts } from '../../src/handlers/plan-format.js';

const PLAN = `[PRIORITY: MEDIUM]
[TYPE: PLAN]
[TO: conductor]

## Backend Implementation Plan
### Task: Add user search
### Architecture approach:
- Layers affected: endpoint/service/repository
- New files: app/services/SearchService.py, \`tests/test_search.py\`
- Modified files: app/api/v1/endpoints/users.py:12, app/repositories/UserRepository.py
### Schema changes: None
### Migration needed: no
### Security considerations: injection via the query string; [LANDMINE] users.py:40 leaks emails
### Estimated scope: 4 files

[ACTION NEEDED: Approve or reject this plan]
`;

describe('checkPlanFormat', () => {
  it('accepts a plan in the submission format, message headers and all', () => {
    expect(checkPlanFormat(PLAN)).toEqual([]);
  });

  it('names each missing section, in format order', () => {
    const broken = PLAN.replace(/^### Security considerations:.*\n/m, '').replace(/^- New files:.*\n/m, '');
    expect(checkPlanFormat(broken)).toEqual(['New files', 'Security considerations']);
    expect(checkPlanFormat('just some text')).toHaveLength(9);
  });

  it('counts a migration line that says neither yes nor no as missing', () => {
    expect(checkPlanFormat(PLAN.replace('### Migration needed: no', '### Migration needed: maybe'))).toEqual(['Migration needed']);
  });

  it('reads bold labels and CRLF line ends', () => {
    const bold = PLAN.replace('### Task:', '**Task**:').replace('### Estimated scope:', '**Estimated scope:**').replaceAll('\n', '\r\n');
    expect(checkPlanFormat(bold)).toEqual([]);
  });
});

describe('planFacts', () => {
  it('reads files from inline lists, without line suffixes, new first', () => {
    expect(planFacts(PLAN)).toEqual({
      files: ['app/services/SearchService.py', 'tests/test_search.py', 'app/api/v1/endpoints/users.py', 'app/repositories/UserRepository.py'],
      newFiles: ['app/services/SearchService.py', 'tests/test_search.py'],
      modifiedFiles: ['app/api/v1/endpoints/users.py', 'app/repositories/UserRepository.py'],
      layers: ['endpoint', 'service', 'repository'],
      schemaChange: false,
      migration: false,
      landmines: 1,
      touchesDoNotTouch: [],
    });
  });

  it('reads nested lists and a do-not-touch section', () => {
    const plan = `### Task: x
### Architecture approach:
- Layers affected: models, schemas
- New files: none
- Modified files:
  - app/models/User.py — add last_login
  - app/config/database.py — pool size
### Schema changes:
- users.last_login (timestamp, nullable)
### Migration needed: **yes** — new column
### Security considerations: none
### Estimated scope: 2 files
### Dependencies (do not touch)
- app/config/database.py — tuned for production
`;
    expect(planFacts(plan)).toMatchObject({
      files: ['app/models/User.py', 'app/config/database.py'],
      newFiles: [],
      layers: ['model', 'schema'],
      schemaChange: true,
      migration: true,
      touchesDoNotTouch: ['app/config/database.py'],
    });
  });

  it('reads an empty or foreign text as no facts', () => {
    expect(planFacts('hello')).toEqual({ files: [], newFiles: [], modifiedFiles: [], layers: [], schemaChange: false, migration: false, landmines: 0, touchesDoNotTouch: [] });
  });
});

describe('planFacts, asked again', () => {
  const plan = (i: number) => `### Task: task ${i}\n### New files: app/services/S${i}.py\n`;

  it('gives the same frozen facts for a plan asked again while many other plans are read', () => {
    const first = planFacts(plan(0));
    expect(Object.isFrozen(first) && Object.isFrozen(first.files)).toBe(true);
    // Each time after nearly as many other plans as it keeps: asked since, so kept (used last, kept longest).
    for (let round = 1; round <= 3; round++) {
      for (let i = 1; i < FACTS_KEPT; i++) planFacts(plan(round * FACTS_KEPT + i));
      expect(planFacts(plan(0))).toBe(first);
    }
    // Not asked for FACTS_KEPT other plans: read again, to the same facts.
    for (let i = 1; i <= FACTS_KEPT; i++) planFacts(plan(10 * FACTS_KEPT + i));
    const again = planFacts(plan(0));
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
