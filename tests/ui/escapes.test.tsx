import { afterEach, describe, expect, it } from 'vitest';
import { HANDOFF_BODY, drop, openUi } from './helpers.js';

let ui: Awaited<ReturnType<typeof openUi>> | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

/** A title-setting sequence, a colour and a carriage return: what a hostile message carries. */
const HOSTILE = 'sign\u001b]0;pwned\u0007up \u001b[31mred\rEVIL';

describe('escape sequences in message text', () => {
  it('reach the UI as visible escapes, never raw', async () => {
    ui = await openUi();
    await drop(ui.paths, 'backend-engineer', { from: 'analyst', type: 'HANDOFF', priority: 'MEDIUM', task: 'esc-1', body: HANDOFF_BODY.replace('user signup', HOSTILE) });
    await ui.settle();
    const f = await ui.waitFor('esc-1');
    expect(f).toContain('sign\\e]0;pwned\\x07up');
    for (const frame of ui.ui.frames) {
      expect(frame).not.toContain(']0;pwned\u0007');
      expect(frame).not.toContain('\r');
      expect(frame).not.toContain('\u001b[31mred');
    }
  });
});
