import type { Command } from 'commander';
import { stateLabel } from '../../engine/apply.js';
import { readJournal, readQuarantine } from '../../engine/read.js';
import type { RunRecord } from '../../engine/run-state.js';
import { fold } from '../../engine/fold.js';
import { stepAttempts } from '../../engine/usage.js';
import { timerName } from '../../engine/labels.js';
import { gitCommitLines } from '../../engine/git-commit.js';
import { markHeld, summarize, timeline, undeliveredOf, viewOf } from '../../engine/view.js';
import { formatCost, formatTokens, ZERO_USAGE } from '../../handlers/llm/usage.js';
import { UserError } from '../../errors.js';
import { loadConfig, requireWorkspace, resolveWorkspaceDir } from '../../workspace/config.js';
import { follow } from './follow.js';
import { say, sayJson } from '../output.js';

/** Registers `teamstate show RUN`: state, context, timeline, timers. */
export function registerShow(program: Command): void {
  program
    .command('show')
    .description('one run: state, what it waits on, context, the timeline of messages in and out, timers')
    .argument('<run>', 'run id (the task id)')
    .option('--workspace <dir>', 'workspace folder')
    .option('--json', 'print JSON')
    .option('--follow', 'then keep printing: new timeline entries, and each running step\'s try, time against its timeout and output, until the run finishes')
    .action(async (runId: string, flags: { workspace?: string; json?: boolean; follow?: boolean }) => {
      const paths = await requireWorkspace(resolveWorkspaceDir(flags.workspace));
      if (flags.follow) {
        const config = await loadConfig(paths.root).catch(() => undefined);
        await follow(paths, config, runId, (t) => say(t));
        return;
      }
      const config = await loadConfig(paths.root);
      const quarantine = await readQuarantine(paths, runId);
      // A quarantined run's journal may be gone or damaged: show what is known of it, and why.
      const read = await readJournal(paths, runId).catch((e: unknown) => {
        if (!quarantine) throw e;
        return { records: [] as RunRecord[] };
      });
      const { records } = read;
      const note = 'note' in read ? read.note : undefined;
      const folded = fold(records) ?? quarantine?.state;
      if (!folded) throw new UserError(`run ${runId} has an empty journal (${paths.run(runId).journal}); restore it from a backup, or delete the run's folder to drop the run`);
      const state = quarantine ? { ...folded, quarantined: { reason: quarantine.reason, at: 0 } } : folded;
      // A reply journaled but not delivered yet is marked held, with why, in the text and in --json.
      const events = markHeld(timeline(records), state);
      const c = viewOf(state);
      const timers = Object.entries(state.timers).map(([id, t]) => ({ id, event: t.event.type, name: timerName(id), deadline: new Date(t.deadline).toISOString() }));
      const attempts = stepAttempts(records);
      if (flags.json) {
        const usage = state.usage?.total ?? ZERO_USAGE;
        sayJson({ summary: summarize(state, config), usage, attempts, state: state.snapshot, steps: state.steps, timers, undelivered: undeliveredOf(state), timeline: events, ...(note ? { note } : {}) });
        return;
      }
      const s = summarize(state, config);
      const out = [
        `Run ${runId} — ${c.task.subject}`,
        `State:     ${stateLabel(state.snapshot.value)}${s.finished ? ' (finished)' : ''}`,
        `Waits on:  ${s.waitingFor || '-'} since ${new Date(s.since).toISOString()}`,
        ...c.facts.flatMap((f) => (f.lines.length === 1 ? [`${`${f.label}:`.padEnd(10)} ${f.lines[0]}`] : [`${f.label}:`, ...f.lines.map((l) => `  - ${l}`)])),
        ...(state.gitCommit ? gitCommitLines(state.gitCommit).map((l, i) => (i === 0 ? `Commit:    ${l}` : `  ${l}`)) : []),
        ...(state.usage ? [`Cost:      ${formatCost(state.usage.total)} (${formatTokens(state.usage.total)})`, ...attempts.map((a) => `  - ${a.step} #${a.attempt} ${a.status}: ${formatCost(a.usage)}, ${formatTokens(a.usage)}`)] : []),
        ...(timers.length ? ['Timers:', ...timers.map((t) => `  - ${t.name} at ${t.deadline}`)] : []),
        ...(s.undelivered.length ? ['Not delivered yet (the running engine retries them):', ...s.undelivered.map((u) => `  - ${u.type} to ${u.to}: ${u.why}`)] : []),
        ...(note ? [`Journal:   ${note}`] : []),
        ...(quarantine ? [`Quarantined: ${quarantine.reason}; it takes no more messages (they are kept in rejected/ with the reason)`] : []),
        'Timeline:',
        ...events.map((e) => {
          const arrow = { in: '←', out: '→', step: '•', timer: '⏰', person: '☺' }[e.dir];
          const oop = e.outOfPlace ? `  [out of place: ${e.outOfPlace}]` : '';
          const unsent = e.held !== undefined ? `  [held, not delivered yet: ${e.held}]` : '';
          return `  ${new Date(e.at).toISOString().slice(11, 19)} ${arrow} ${e.type}${e.priority ? ` ${e.priority}` : ''} ${e.peer}: ${e.firstLine}${oop}${unsent}`;
        }),
      ];
      say(`${out.join('\n')}\n`);
    });
}
