import { promises as fs } from 'node:fs';
import path from 'node:path';
import { renderMessage } from '../protocol/render.js';
import type { Message } from '../protocol/schema.js';
import type { WorkspacePaths } from '../workspace/paths.js';
import type { Expect, Stage } from './scenario.js';
import { fullScenario } from './scenario.js';

export interface ScriptedTeamOptions {
  paths: WorkspacePaths;
  tasks: string[];
  conductor: 'scripted' | 'person';
  /** Each task's stages; the full lifecycle by default. */
  scenario?: (task: string) => Stage[];
  /** Messages members got that are no longer in their folders (peers that read and delete their mail). */
  gone?: () => { to: string; text: string }[];
}

/** A message the engine delivered, as much of it as the team reads. */
interface Seen {
  to: string;
  type: string;
  task?: string;
  text: string;
}

/**
 * The rest of the team, played by a script over the same inbox folders a real team uses:
 * it waits for the engine's replies and drops the next message of each task's scenario.
 * Each message is dropped exactly once, named `<from>--<task>-<stage>.md`, so tests can
 * follow every file. It keeps no state the folders don't show except how far each task got.
 */
export class ScriptedTeam {
  private readonly stages = new Map<string, Stage[]>();
  private readonly at = new Map<string, number>();
  /** Each delivered file read so far, by path: a delivered file is whole and never changes, so it is read once, not at every tick. */
  private readonly read = new Map<string, Seen>();

  constructor(private readonly opts: ScriptedTeamOptions) {
    for (const task of opts.tasks) {
      this.stages.set(task, (opts.scenario ?? ((t) => fullScenario(t, opts.conductor)))(task));
      this.at.set(task, 0);
    }
  }

  /** Checks the replies and drops each task's next message; true when every task is done. */
  async tick(): Promise<boolean> {
    const seen = await this.delivered();
    let done = true;
    for (const [task, stages] of this.stages) {
      let i = this.at.get(task)!;
      while (i < stages.length) {
        const stage = stages[i]!;
        if (stage.after && !arrived(seen, task, stage.after)) break;
        if (stage.drop) await this.drop(task, i, stage.drop);
        i += 1;
      }
      this.at.set(task, i);
      if (i < stages.length) done = false;
    }
    return done;
  }

  progress(): { task: string; stage: number; stages: number; label: string }[] {
    return [...this.stages].map(([task, stages]) => {
      const i = this.at.get(task)!;
      return { task, stage: i, stages: stages.length, label: stages[Math.min(i, stages.length - 1)]!.label };
    });
  }

  /** Every message dropped so far, by file name (for exactly-once checks). */
  droppedNames(): string[] {
    const names: string[] = [];
    for (const [task, stages] of this.stages) {
      const upTo = this.at.get(task)!;
      stages.slice(0, upTo).forEach((s, i) => {
        if (s.drop) names.push(fileName(s.drop.from!, task, i));
      });
    }
    return names;
  }

  private async drop(task: string, index: number, m: Omit<Message, 'task'>): Promise<void> {
    const inbox = this.opts.paths.inbox('backend-engineer');
    const name = fileName(m.from!, task, index);
    const tmp = path.join(inbox.tmp, name);
    await fs.writeFile(tmp, renderMessage({ ...m, task } as Message));
    await fs.rename(tmp, path.join(inbox.new, name));
  }

  /** What the engine has delivered to the other members (new/ and, once read, cur/). */
  private async delivered(): Promise<Seen[]> {
    const out: Seen[] = (this.opts.gone?.() ?? []).map(({ to, text }) => ({ to, type: /^\[TYPE:\s*([A-Z_]+)\]/m.exec(text)?.[1] ?? '', task: /^\[TASK:\s*([^\]]+)\]/m.exec(text)?.[1]?.trim(), text }));
    for (const to of ['conductor', 'sentinel', 'breaker', 'librarian']) {
      const inbox = this.opts.paths.inbox(to);
      for (const dir of [inbox.new, inbox.cur]) {
        const names = await fs.readdir(dir).catch(() => [] as string[]);
        for (const name of names) {
          if (name.startsWith('.')) continue;
          const file = path.join(dir, name);
          let seen = this.read.get(file);
          if (!seen) {
            const text = await fs.readFile(file, 'utf8').catch(() => undefined);
            // Gone meanwhile (a peer moved it): seen under its new name next time.
            if (text === undefined) continue;
            seen = { to, type: /^\[TYPE:\s*([A-Z_]+)\]/m.exec(text)?.[1] ?? '', task: /^\[TASK:\s*([^\]]+)\]/m.exec(text)?.[1]?.trim(), text };
            this.read.set(file, seen);
          }
          out.push(seen);
        }
      }
    }
    return out;
  }
}

export function fileName(from: string, task: string, stage: number): string {
  return `${from}--${task}-${stage}.md`;
}

function arrived(seen: Seen[], task: string, e: Expect): boolean {
  const n = seen.filter((s) => s.to === e.to && s.type === e.type && s.task === task && (!e.contains || s.text.includes(e.contains))).length;
  return n >= e.count;
}
