import { fold } from '../../engine/fold.js';
import { readJournal } from '../../engine/read.js';
import { summarize } from '../../engine/view.js';
import type { TimelineEntry } from '../../engine/view.js';
import { timeline } from '../../engine/view.js';
import { readLive } from '../../handlers/live.js';
import { formatCost } from '../../handlers/llm/usage.js';
import { formatDuration } from '../../handlers/step-tool.js';
import type { Config, StepName } from '../../workspace/config-schema.js';
import type { WorkspacePaths } from '../../workspace/paths.js';

const ARROW: Record<TimelineEntry['dir'], string> = { in: '←', out: '→', step: '•', timer: '⏰', person: '☺' };

export function timelineLine(e: TimelineEntry): string {
  const oop = e.outOfPlace ? `  [out of place: ${e.outOfPlace}]` : '';
  return `  ${new Date(e.at).toISOString().slice(11, 19)} ${ARROW[e.dir]} ${e.type}${e.priority ? ` ${e.priority}` : ''} ${e.peer}: ${e.firstLine}${oop}`;
}

/**
 * `show RUN --follow`: the timeline as it grows, and for each running command step its
 * try, elapsed time against the timeout, new output lines and failed tries, until the run
 * finishes (or Ctrl-C). Reads the journal and the step folders only, like every reader.
 */
export async function follow(paths: WorkspacePaths, config: Config | undefined, runId: string, write: (text: string) => void, opts: { everyMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  const everyMs = opts.everyMs ?? 500;
  let printed = 0;
  const said = new Map<string, string>();
  const say = (key: string, line: string) => {
    if (said.get(key) === line) return;
    said.set(key, line);
    write(`${line}\n`);
  };
  while (!opts.signal?.aborted) {
    const { records } = await readJournal(paths, runId);
    const state = fold(records);
    if (!state) return;
    const events = timeline(records);
    for (const e of events.slice(printed)) write(`${timelineLine(e)}\n`);
    printed = events.length;
    for (const [id, step] of Object.entries(state.steps)) {
      const handler = config?.steps[step.src as StepName];
      if (handler?.kind !== 'command') continue;
      const live = await readLive(paths.step(runId, id, step.attempt), 5);
      for (const f of live.failed) say(`${id}.${step.attempt}.fail.${f.try}`, `  ⚙ ${id}: try ${f.try} failed: ${f.reason.split('\n')[0]}`);
      const r = live.running;
      if (r) {
        const limit = r.timeoutMs ? ` of ${formatDuration(r.timeoutMs)}` : '';
        say(`${id}.${step.attempt}.try`, `  ⚙ ${id}: try ${r.try}/${handler.retries + 1} running`);
        // Every ten seconds, not every poll.
        const tens = Math.floor((Date.now() - r.startedAt) / 10_000) * 10;
        say(`${id}.${step.attempt}.time`, `  ⚙ ${id}: ${tens < 60 ? `${tens}s` : formatDuration(tens * 1000)}${limit}`);
        for (const line of live.tail) say(`${id}.${step.attempt}.${r.try}.out.${line}`, `  ⚙ ${id} │ ${line}`);
      }
    }
    const s = summarize(state);
    if (s.finished) {
      write(`Run ${runId} finished${s.usage ? ` (cost ${formatCost(s.usage)})` : ''}.\n`);
      return;
    }
    say('waits', `  … waiting on ${s.waitingFor}${s.usage ? ` · cost so far ${formatCost(s.usage)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
