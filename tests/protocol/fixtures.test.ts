import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decisionOf, parseMessage, renderMessage } from '../../src/protocol/index.js';

const fixture = (name: string) => readFile(new URL(`./fixtures/${name}`, import.meta.url));
const aliases = { builder: 'backend-engineer' };

describe('messages in the shapes the team definitions show', () => {
  it('reads the analyst HANDOFF with its LANDMINE tags and addresses it to the engineer through the builder alias', async () => {
    const r = parseMessage(await fixture('analyst-handoff.md'), { aliases, fileName: 'analyst--0001.md' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ priority: 'MEDIUM', type: 'HANDOFF', to: ['backend-engineer'], from: 'analyst' });
    expect(r.value.body.startsWith('## ANALYST REPORT — invoices API')).toBe(true);
    expect(r.value.body.split('\n').filter((l) => l.includes('[LANDMINE]'))).toHaveLength(2);
    expect(r.value.body.endsWith('- architecture.md still lists app/utils/money.py, which was removed')).toBe(true);
    expect(r.value.action).toBe('Use this map for implementation. Watch the LANDMINES section.');
  });

  it('reads the breaker BUG with its reproduction steps intact', async () => {
    const r = parseMessage(await fixture('breaker-bug.md'), { fileName: 'breaker--bug-2.md' });
    expect(r.ok && r.value).toMatchObject({ priority: 'HIGH', type: 'BUG', to: ['builder'], from: 'breaker', action: 'Fix this. Re-message sentinel when done.' });
    expect(r.ok && r.value.body).toContain(`- Reproduce: curl -X POST localhost:8000/api/v1/invoices -d '{"quantity": -5, "unit_price": 10}'`);
  });

  it('reads the sentinel PASS broadcast to ALL', async () => {
    const r = parseMessage(await fixture('sentinel-pass.md'));
    expect(r.ok && r.value).toMatchObject({ priority: 'LOW', type: 'PASS', to: ['ALL'] });
    expect(r.ok && r.value.body.split('\n')[0]).toBe('## SENTINEL: ALL CLEAR');
  });

  it('reads the sentinel FAIL with its indented failure list', async () => {
    const r = parseMessage(await fixture('sentinel-fail.md'));
    expect(r.ok && r.value).toMatchObject({ priority: 'HIGH', type: 'FAIL', to: ['builder'] });
    expect(r.ok && r.value.body).toContain("\n  2. test_list_invoices_paginates — KeyError: 'next'\n");
  });

  it('reads the backend-engineer PLAN with its extension headers and is no decision', async () => {
    const r = parseMessage(await fixture('backend-engineer-plan.md'));
    expect(r.ok && r.value).toMatchObject({ type: 'PLAN', to: ['conductor'], from: 'backend-engineer', task: '17', id: 'backend-engineer-17-plan-1', action: 'Approve or reject this plan' });
    expect(r.ok && decisionOf(r.value)).toBeUndefined();
  });

  it.each(['analyst-handoff.md', 'breaker-bug.md', 'sentinel-pass.md', 'sentinel-fail.md', 'backend-engineer-plan.md'])(
    'renders %s back byte for byte',
    async (name) => {
      const text = (await fixture(name)).toString('utf8');
      const r = parseMessage(text);
      expect(r.ok).toBe(true);
      if (r.ok) expect(renderMessage(r.value)).toBe(text);
    },
  );
});
