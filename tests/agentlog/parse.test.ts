import { describe, expect, it } from 'vitest';
import { parseAgentLog, renderEntry, TEMPLATE_HEADER } from '../../src/agentlog/index.js';
import { metrics } from './metrics.js';
import { parseEntry } from '../../src/agentlog/parse-entry.js';

describe('parseAgentLog', () => {
  it('keeps the bootstrap header verbatim and splits the rest into entries', () => {
    const text = TEMPLATE_HEADER + '\n' + renderEntry(metrics()) + '\n' + renderEntry(metrics({ taskId: 't-2', task: 'Add orders' }));
    const log = parseAgentLog(text);
    expect(log.header).toBe(TEMPLATE_HEADER + '\n');
    expect(log.entries.map((e) => [e.task, e.taskId, e.line])).toEqual([
      ['Add users endpoint', 't-1', 4],
      ['Add orders', 't-2', 24],
    ]);
    expect(log.header + log.entries.map((e) => e.raw).join('')).toBe(text);
  });

  it('reads an empty log, and a header with no entries, as no entries', () => {
    expect(parseAgentLog('')).toEqual({ header: '', entries: [], problems: [] });
    expect(parseAgentLog(TEMPLATE_HEADER)).toEqual({ header: TEMPLATE_HEADER, entries: [], problems: [] });
  });

  it('reads a hand-written entry in the template style (brackets, hyphens, star bullets, CRLF, BOM)', () => {
    const text = [
      '\uFEFF# Backend Engineer — Agent Log',
      '## [2026-10-01] - Fix login (task 12)',
      '### What I did',
      '* app/api/v1/endpoints/auth.py: fixed token expiry check',
      '### Architecture compliance',
      '- Layer violations found: none',
      '- Naming conventions followed: Yes',
      '### Sub-agents used',
      '- security-auditor: found SQL injection risk in search',
      '### First-pass success: No',
      '- Fix cycles: 1 - null user after logout',
      '### Communication effectiveness',
      '- Plan approved first try: no',
      '- Breaker bugs: 1',
      '- Sentinel passed first try: yes',
      '',
    ].join('\r\n');
    const log = parseAgentLog(text);
    expect(log.problems).toEqual([]);
    const e = log.entries[0]!;
    expect([e.date, e.task, e.taskId]).toEqual(['2026-10-01', 'Fix login', '12']);
    expect(e.metrics).toMatchObject({
      filesChanged: [{ file: 'app/api/v1/endpoints/auth.py', change: 'fixed token expiry check' }],
      layerViolations: { count: 0, details: [] },
      namingDeviations: [],
      subagents: [{ agent: 'security-auditor', finding: 'found SQL injection risk in search', blocking: 0, counts: {} }],
      firstPassSuccess: false,
      fixCycles: { count: 1, fixed: ['null user after logout'] },
      planApprovedFirstTry: false,
      planRevisions: 1,
      breakerBugs: { count: 1, classes: [] },
      sentinelPassedFirstTry: true,
    });
    expect(e.missing).toEqual(['securityFindings']);
  });

  it('reads figures written in bold', () => {
    const e = parseAgentLog('## 2026-11-20 — T\n### First-pass success: **yes**\n- **Fix cycles:** 0\n- **Plan approved first try**: no — 2 revisions\n').entries[0]!;
    expect(e.metrics).toMatchObject({ firstPassSuccess: true, fixCycles: { count: 0 }, planApprovedFirstTry: false, planRevisions: 2 });
  });

  it('reports malformed entries with their line and keeps them as text, without failing', () => {
    const text = [
      TEMPLATE_HEADER,
      renderEntry(metrics()),
      '## Notes from the retro',
      'we should pair more',
      '## 2026-11-21 — Add orders (task t-2)',
      '### First-pass success: [yes/no]',
      '- Fix cycles: [N] — [what needed fixing]',
      '- Breaker bugs: several',
      '### Sub-agents used',
      '- (reviewed by hand)',
      renderEntry(metrics({ taskId: 't-3', task: 'Add invoices', date: '2026-11-22' })),
    ].join('\n');
    const log = parseAgentLog(text);
    expect(log.entries.map((e) => [e.valid, e.task])).toEqual([
      [true, 'Add users endpoint'],
      [false, ''],
      [true, 'Add orders'],
      [true, 'Add invoices'],
    ]);
    expect(log.entries[1]!.raw).toBe('## Notes from the retro\nwe should pair more\n');
    expect(log.problems).toHaveLength(5);
    expect(log.problems[0]).toMatch(/^line 24: "## Notes from the retro" is not an entry heading/);
    expect(log.problems.slice(1).join('\n')).toMatch(/First-pass success: \[yes\/no\][\s\S]*Fix cycles: \[N\][\s\S]*Breaker bugs: several[\s\S]*\(reviewed by hand\)/);
    expect(log.entries[2]!.missing).toContain('fixCycles');
    expect(log.entries[3]!.metrics.fixCycles).toEqual({ count: 0, fixed: [] });
  });

  it.each([
    ['## 2026-11-20 — Add users (task t-17)', 'Add users', 't-17'],
    ['## [2026-11-20] — [Add users]', '[Add users]', undefined],
    ['## 2026-11-20 – Add users', 'Add users', undefined],
    ['## 2026-11-20 14:05 - Add users', 'Add users', undefined],
    ['## 2026-11-20: Add users (task 3)', 'Add users', '3'],
    ['## 2026-11-20', '', undefined],
  ])('reads the heading %j', (heading, task, taskId) => {
    const e = parseAgentLog(heading + '\n').entries[0]!;
    expect([e.valid, e.date, e.task, e.taskId]).toEqual([true, '2026-11-20', task, taskId]);
  });

  it('does not take a heading inside a code fence for an entry', () => {
    const entry = renderEntry(metrics()).replace('### What I\'d do differently\n', "### What I'd do differently\n```\n## 2026-01-01 — not an entry\n```\n");
    const log = parseAgentLog(TEMPLATE_HEADER + entry);
    expect(log.entries).toHaveLength(1);
    expect(log.problems).toEqual([]);
  });
});

describe('parseAgentLog read again and again', () => {
  it('gives an entry read before back as parseEntry reads it where it stands now, its line included, and reads one with problems again', () => {
    const a = renderEntry(metrics({ taskId: 'r-1', task: 'First' }));
    const b = renderEntry(metrics({ taskId: 'r-2', task: 'Second' }));
    const broken = '## 2026-11-30 — Broken\n- Plan approved first try: perhaps\n';
    const first = parseAgentLog(`# Log\n\n${a}\n${broken}\n${b}`);
    // The same entries further down (a new one before them, as a tail read later sees them).
    const c = renderEntry(metrics({ taskId: 'r-0', task: 'Zeroth' }));
    const text = `# Log\n\n${c}\n${a}\n${broken}\n${b}`;
    const again = parseAgentLog(text);
    expect(again.entries.map((e) => e.line)).not.toEqual(first.entries.map((e) => e.line));
    expect(again.entries).toEqual(again.entries.map((e) => parseEntry(e.raw, e.line).entry));
    expect(again.problems).toEqual(again.entries.flatMap((e) => parseEntry(e.raw, e.line).problems));
    expect(again.problems.length).toBeGreaterThan(0);
    expect(again.problems.join('\n')).toContain(`line ${again.entries[2]!.line}`);
  });
});
