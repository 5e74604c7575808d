import type { UiActions } from './actions.js';
import { Compose } from './components/Compose.js';
import { Prompt } from './components/Prompt.js';
import { TextView } from './components/TextView.js';
import { HELP } from './keys.js';
import type { NavAction, Overlay as OverlayT, PromptPurpose } from './nav.js';
import type { Config } from '../workspace/config-schema.js';

/** What a prompt's answer does. */
function answer(actions: UiActions, p: PromptPurpose, text: string): Promise<boolean> {
  switch (p.action) {
    case 'reject':
      return actions.decide(p.runId, false, text);
    case 'cancel':
      return actions.cancel(p.runId, text);
    case 'complete':
      return actions.complete(p.runId, p.step, text);
    case 'fail':
      return actions.fail(p.runId, p.step, text);
  }
}

/** The line under a prompt's question. */
export const promptHint = (p: PromptPurpose): string => (p.action === 'complete' ? 'Enter confirms; Esc backs out' : 'Enter confirms (an empty answer is allowed); Esc backs out');

/** The open overlay: help, a whole text, a one-line prompt, or the compose form. */
export function Overlay({ overlay, dispatch, actions, config, height }: { overlay: OverlayT; dispatch: (a: NavAction) => void; actions: UiActions; config: Config; height: number }) {
  const close = () => dispatch({ type: 'close' });
  switch (overlay.kind) {
    case 'help':
      return <TextView title="Help" text={HELP} height={height} onClose={close} />;
    case 'text':
      return <TextView title={overlay.title} text={overlay.text} height={height} onClose={close} />;
    case 'prompt':
      return (
        <Prompt
          label={overlay.label}
          hint={promptHint(overlay.purpose)}
          onCancel={close}
          onSubmit={(text) => {
            close();
            void answer(actions, overlay.purpose, text);
          }}
        />
      );
    case 'compose':
      return (
        <Compose
          config={config}
          preset={{ ...(overlay.to ? { to: overlay.to } : {}), ...(overlay.task ? { task: overlay.task } : {}) }}
          onCancel={close}
          onSend={(m) => {
            close();
            void actions.send(m);
          }}
        />
      );
  }
}
