import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toEvent } from '../../machines/backend-engineer/events.js';
import { parseMessage } from '../../src/protocol/parse.js';

const README = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md'), 'utf8');

/** The README's fenced blocks that are team messages (they begin with a [PRIORITY: …] line). */
const messages = [...README.matchAll(/```[a-z]*\n(\[PRIORITY:[\s\S]*?)```/g)].map((m) => m[1]!);

describe("the README's example messages", () => {
  it('are there to check', () => {
    expect(messages.length).toBeGreaterThanOrEqual(2);
  });

  for (const text of messages) {
    const type = /\[TYPE: ([^\]]+)\]/.exec(text)?.[1];
    it(`read as the engine reads them: the ${type} from ${/\[FROM: ([^\]]+)\]/.exec(text)?.[1]}`, () => {
      const parsed = parseMessage(text);
      expect(parsed, JSON.stringify(parsed)).toMatchObject({ ok: true });
    });
  }

  it('cancel a run the way the README says the conductor does', () => {
    const cancel = messages.find((m) => /\n\s*CANCEL/.test(m));
    expect(cancel).toBeDefined();
    const parsed = parseMessage(cancel!);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    expect(toEvent(parsed.value, 'conductor', 'm1')).toMatchObject({ type: 'CANCEL' });
  });
});
