import { describe, expect, it } from 'vitest';
import { parseHandoff } from '../../src/handlers/handoff.js';
import { draftPlan } from '../../src/handlers/plan-draft.js';
import { checkPlanFormat, planFacts } from '../../src/handlers/plan-format.js';
import { fixture, input } from './helpers.js';

const handoff = await fixture('handoff-order-cancel.md');
// Everything the analyst names exists, except the repository's (missing) tests.
const exists = (p: string) => !p.includes('test_order_repository');

describe('parseHandoff', () => {
  it('reads every section of the analyst report', () => {
    const h = parseHandoff(handoff);
    expect(h.area).toMatch(/^order cancellation/);
    expect(h.entryPoint).toMatchObject({ path: 'app/api/v1/endpoints/orders.py', note: 'cancel_order (route exists, returns 501)' });
    expect(h.callChain).toHaveLength(4);
    expect(h.filesInScope.map((f) => f.path)).toEqual([
      'app/models/Order.py',
      'app/schemas/OrderSchema.py',
      'app/repositories/OrderRepository.py',
      'app/services/OrderService.py',
      'app/api/v1/endpoints/orders.py',
    ]);
    expect(h.doNotTouch.map((f) => f.path)).toEqual(['app/core/security.py', 'app/services/PaymentService.py', 'app/config/database.py']);
    expect(h.implicitCoupling).toHaveLength(2);
    expect(h.testCoverage.find((c) => c.path === 'app/repositories/OrderRepository.py')).toMatchObject({ untested: true });
    expect(h.testCoverage.find((c) => c.path === 'app/services/OrderService.py')).toMatchObject({ untested: false, test: 'tests/services/test_order_service.py' });
    expect(h.landmines).toHaveLength(3);
    expect(h.landmines[0]).not.toContain('[LANDMINE]');
    expect(h.memoryCorrections).toHaveLength(1);
  });

  it('picks up [LANDMINE] tags outside the LANDMINES section and reads bold headings', () => {
    const h = parseHandoff('**FILES IN SCOPE**\n- app/services/A.py: does a\n\nNote: [LANDMINE] app/services/A.py uses a global cache\n');
    expect(h.filesInScope.map((f) => f.path)).toEqual(['app/services/A.py']);
    expect(h.landmines).toEqual(['app/services/A.py uses a global cache']);
  });

  it('gives an empty report, not an error, for a body that is not a report', () => {
    expect(parseHandoff('please build the thing')).toMatchObject({ filesInScope: [], landmines: [], callChain: [] });
  });
});

describe('draftPlan', () => {
  const plan = draftPlan(input({ handoff }), { exists });
  const facts = planFacts(plan);

  it('writes every section of the submission format', () => {
    expect(checkPlanFormat(plan)).toEqual([]);
    expect(plan).toMatch(/^## Backend Implementation Plan\n### Task: Cancel an order \(T-12\)/);
  });

  it('infers the layers from the paths and plans the files in scope plus their tests', () => {
    expect(facts.layers).toEqual(['endpoint', 'service', 'repository', 'model', 'schema']);
    expect(facts.newFiles).toEqual(['tests/repositories/test_order_repository.py']);
    expect(facts.modifiedFiles).toEqual([
      'app/models/Order.py',
      'app/schemas/OrderSchema.py',
      'app/repositories/OrderRepository.py',
      'app/services/OrderService.py',
      'app/api/v1/endpoints/orders.py',
      'tests/services/test_order_service.py',
      'tests/api/test_orders.py',
    ]);
    expect(plan).toContain('### Estimated scope: 8 files (1 new, 7 modified) plus 1 migration');
  });

  it('needs a migration when a model changes, and not otherwise', () => {
    expect(facts).toMatchObject({ migration: true, schemaChange: true });
    const noModels = draftPlan(input({ handoff: handoff.replace(/^1\. app\/models\/Order\.py.*$/m, '') }), { exists });
    expect(planFacts(noModels)).toMatchObject({ migration: false });
    expect(noModels).toContain('### Migration needed: no');
  });

  it('carries the landmines and the touched layers into the security considerations', () => {
    expect(facts.landmines).toBe(3);
    expect(plan).toContain('- [LANDMINE] Refund is async via Celery; cancelling twice must not refund twice');
    expect(plan).toMatch(/Auth: every changed route keeps Depends\(get_current_user\)/);
    expect(plan).toMatch(/Injection: SQLAlchemy expressions or bound parameters only/);
    expect(plan).toMatch(/Data exposure: response schemas leave out passwords/);
    expect(facts.touchesDoNotTouch).toEqual([]);
  });

  it('flags a file the analyst marked do-not-touch', () => {
    const conflicting = handoff.replace('5. app/api/v1/endpoints/orders.py', '5. app/core/security.py — add a cancel scope\n6. app/api/v1/endpoints/orders.py');
    const p = draftPlan(input({ handoff: conflicting }), { exists });
    expect(planFacts(p).touchesDoNotTouch).toEqual(['app/core/security.py']);
    expect(p).toMatch(/\[DO-NOT-TOUCH\] app\/core\/security\.py is on the analyst's do-not-touch list/);
  });

  it('addresses each rejection under Revision notes', () => {
    const revised = draftPlan(
      input({ handoff, revision: 2, rejections: ['Do not touch app/schemas/OrderSchema.py; add app/services/RefundGuard.py as a new file.', 'Make the auth story explicit.', 'Looks odd'] }),
      { exists: (p) => exists(p) && !p.includes('RefundGuard') },
    );
    const f = planFacts(revised);
    expect(checkPlanFormat(revised)).toEqual([]);
    expect(f.files).not.toContain('app/schemas/OrderSchema.py');
    expect(f.newFiles).toContain('app/services/RefundGuard.py');
    const notes = revised.slice(revised.indexOf('### Revision notes'));
    expect(notes).toContain('- Rejection 1 ("Do not touch app/schemas/OrderSchema.py; add app/services/RefundGuard.py as a new file."): removed app/schemas/OrderSchema.py; added app/services/RefundGuard.py');
    expect(notes).toContain('- Rejection 2 ("Make the auth story explicit."): added its point to the security considerations');
    expect(notes).toContain('- Rejection 3 ("Looks odd"): no change the drafter could derive from it; a person should read it');
  });

  it('claims for a repeated rejection only what it changed, and says what was already so', () => {
    const revised = draftPlan(input({ handoff, revision: 3, rejections: ['Add tests for the new code.', 'Add tests for the new code.', 'Be more detailed and specific.'] }), { exists });
    const notes = revised.slice(revised.indexOf('### Revision notes'));
    expect(notes).toMatch(/- Rejection 1 \("Add tests for the new code\."\): planned tests: \S+/);
    expect(notes).toContain('- Rejection 2 ("Add tests for the new code."): no change the drafter could derive from it; a person should read it (every changed source file already had tests planned)');
    expect(notes).toContain('- Rejection 3 ("Be more detailed and specific."): no change the drafter could derive from it; a person should read it');
    expect(notes).not.toMatch(/addressed|added the call chain/);
  });

  it('is deterministic', () => {
    expect(draftPlan(input({ handoff }), { exists })).toBe(plan);
  });
});
