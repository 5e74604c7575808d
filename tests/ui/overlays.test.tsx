import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY, openUi } from './helpers.js';

let ui: Awaited<ReturnType<typeof openUi>> | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

describe('compose', () => {
  it('checks the message as it is typed and sends it to the member', async () => {
    ui = await openUi();
    await ui.press('c');
    await ui.waitFor('Compose a message');
    // The recipient field starts on the engine's member: clear it and name someone unknown.
    await ui.press('\u0015', 'ghost');
    await ui.waitFor('✗ unknown recipient "ghost"');
    await ui.press(...Array<string>(5).fill('\u007F'), 'sentinel', KEY.tab);
    await ui.waitFor('✗ body: write something');
    await ui.press(KEY.right);
    await ui.waitFor(/› type\s+◂ HANDOFF ▸/);
    await ui.press(KEY.tab, KEY.right, KEY.right, KEY.tab, 't-9', KEY.tab, 'please re-run the suite');
    const f = await ui.waitFor('✓ ready: HANDOFF to sentinel');
    expect(f).toMatch(/priority\s+◂?\s*CRITICAL|priority\s+CRITICAL/);
    await ui.press(KEY.enter);
    await ui.waitFor('✓ HANDOFF sent to sentinel');
    const dir = ui.paths.inbox('sentinel').new;
    const files = await fs.readdir(dir);
    expect(files).toHaveLength(1);
    const text = await fs.readFile(path.join(dir, files[0]!), 'utf8');
    expect(text).toContain('[TYPE: HANDOFF]');
    expect(text).toContain('[PRIORITY: CRITICAL]');
    expect(text).toContain('[FROM: conductor]');
    expect(text).toContain('[TASK: t-9]');
    expect(text).toContain('please re-run the suite');
  });

  it('does not send an invalid message, and Esc discards the draft', async () => {
    ui = await openUi();
    await ui.press('c');
    await ui.waitFor('Compose a message');
    await ui.press(KEY.up, '\u0015', 'nobody');
    await ui.waitFor('✗ unknown sender "nobody"');
    await ui.press(KEY.ctrlS);
    await ui.press(KEY.esc);
    await ui.waitFor('No runs yet');
    for (const m of ['conductor', 'sentinel', 'breaker', 'librarian', 'analyst']) expect(await fs.readdir(ui.paths.inbox(m).new)).toEqual([]);
  });
});

describe('help and the footer', () => {
  it('shows the keys in the footer and all of them with ?', async () => {
    ui = await openUi();
    const f = await ui.waitFor('No runs yet');
    expect(f.split('\n').at(-1)).toMatch(/↑↓ select\s+Enter open run\s+a approve plan/);
    await ui.press('?');
    const help = await ui.waitFor('teamstate — keys');
    expect(help).toContain('reject the plan with feedback');
    expect(help).toContain('@path');
    await ui.press(KEY.esc);
    await ui.waitFor('No runs yet');
  });
});
