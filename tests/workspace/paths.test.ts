import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { WorkspacePaths, runFiles, segmentProblem } from '../../src/workspace/paths.js';

describe('WorkspacePaths', () => {
  const paths = new WorkspacePaths('/ws');

  it('builds the layout of docs/DESIGN.md §2 under an absolute root', () => {
    expect(new WorkspacePaths('rel').root).toBe(path.resolve('rel'));
    expect(paths.configFile).toBe('/ws/teamstate.json');
    expect(paths.lockFile).toBe('/ws/.teamstate.lock');
    expect(paths.controlDir).toBe('/ws/control');
    expect(paths.inbox('analyst')).toEqual({
      root: '/ws/inboxes/analyst',
      tmp: '/ws/inboxes/analyst/tmp',
      new: '/ws/inboxes/analyst/new',
      cur: '/ws/inboxes/analyst/cur',
      rejected: '/ws/inboxes/analyst/rejected',
    });
    expect(paths.run('r1')).toEqual({ dir: '/ws/runs/r1', journal: '/ws/runs/r1/journal.jsonl', snapshot: '/ws/runs/r1/snapshot.json' });
    expect(paths.artifacts('r1')).toBe('/ws/artifacts/r1');
    expect(paths.step('r1', 'code-reviewer', 2)).toBe('/ws/artifacts/r1/steps/code-reviewer-2');
    expect(paths.task('T-1')).toBe('/ws/tasks/T-1.json');
  });

  it.each(['../x', 'a/b', 'a\\b', '..', 'a..b', '.hidden', '', 'x y', 'a\0b'])('refuses the name %j as a path segment', (name) => {
    expect(segmentProblem(name)).toBeDefined();
    expect(() => paths.inbox(name)).toThrow(UserError);
    expect(() => paths.task(name)).toThrow(UserError);
    expect(() => paths.run(name)).toThrow(UserError);
  });

  it('joins the paths of an inbox or a run once, and gives the same frozen paths when asked again', () => {
    const inbox = paths.inbox('conductor');
    expect(paths.inbox('conductor')).toBe(inbox);
    expect(Object.isFrozen(inbox)).toBe(true);
    expect(new WorkspacePaths('/other').inbox('conductor').root).toBe('/other/inboxes/conductor');
    const run = paths.run('r2');
    expect(paths.run('r2')).toBe(run);
    expect(Object.isFrozen(run)).toBe(true);
    expect(new WorkspacePaths('/other').run('r2').dir).toBe('/other/runs/r2');
    // A name refused once is refused again, not remembered.
    expect(() => paths.inbox('../etc')).toThrow(UserError);
    expect(() => paths.inbox('../etc')).toThrow(UserError);
  });

  it('says what is wrong with a name that climbs out', () => {
    expect(() => paths.inbox('../etc')).toThrow(/member name "..\/etc" contains a path separator/);
  });
});

describe('runFiles', () => {
  it('gives the paths path.join gives, for any runs folder, and the same object while it is kept', () => {
    for (const runsDir of ['/work/ws/runs', '/work/ws/runs/', '/work//ws/./runs', 'relative/runs', 'a/../runs', '/', '.']) {
      const dir = path.join(runsDir, 'r-1');
      expect(runFiles(runsDir, 'r-1')).toEqual({ dir, journal: path.join(dir, 'journal.jsonl'), snapshot: path.join(dir, 'snapshot.json') });
      expect(runFiles(runsDir, 'r-1')).toBe(runFiles(runsDir, 'r-1'));
    }
    expect(() => runFiles('/work/ws/runs', '../x')).toThrow(UserError);
  });
});
