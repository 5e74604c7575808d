import { Box, useApp } from 'ink';
import { useReducer } from 'react';
import { ErrorBoundary, Header, StatusLine, noteRows, noteText, projectWarning } from './components/Chrome.js';
import { Footer } from './components/Footer.js';
import { useActions, useNow, useSnapshot, useStore } from './contexts.js';
import { KeysContext, useTerminalSize } from './hooks.js';
import { useKeyRouter } from './key-router.js';
import { keysFor } from './keys.js';
import { initialNav, navReducer } from './nav.js';
import type { Nav } from './nav.js';
import { Overlay, promptHint } from './Overlay.js';
import { promptRows } from './components/Prompt.js';
import { Views } from './views/Views.js';

/** The whole UI: a header, the current view (an overlay over it when open), the latest note, the keys. */
export function App({ initial = initialNav }: { initial?: Nav }) {
  const store = useStore();
  const actions = useActions();
  const snap = useSnapshot();
  const { exit } = useApp();
  const { rows, columns } = useTerminalSize();
  const now = useNow(store.engine.core.now);
  const [nav, dispatch] = useReducer(navReducer, initial);
  const { config, paths } = store.engine;

  const registry = useKeyRouter(nav, dispatch, exit);

  const { project } = store.engine;
  // The header and the footer, the banner, then the project warning and the latest note (each up to two rows).
  const body = Math.max(3, rows - 2 - (snap.banner ? 1 : 0) - noteRows(projectWarning(project), columns) - Math.max(1, noteRows(noteText(snap.notes), columns)));
  const prompt = nav.overlay?.kind === 'prompt';
  // A prompt's question can take several rows at this width: the view above gives them up.
  const promptHeight = nav.overlay?.kind === 'prompt' ? promptRows(nav.overlay.label, promptHint(nav.overlay.purpose), columns) : 0;
  const viewHeight = Math.max(1, prompt ? body - promptHeight : body);
  return (
    <KeysContext.Provider value={registry}>
    <Box flexDirection="column" height={rows} width={columns}>
      <Header nav={nav} member={config.engine.member} conductor={config.conductor} root={paths.root} columns={columns} {...(project ? { project } : {})} />
      <ErrorBoundary key={`${nav.view}:${nav.runId ?? ''}`}>
        {/* Kept mounted under an overlay (its cursor survives), not drawn: at no height its fixed-height rows still showed through the overlay's short lines. */}
        <Box flexDirection="column" overflow="hidden" display={nav.overlay && !prompt ? 'none' : 'flex'} height={nav.overlay && !prompt ? 0 : viewHeight}>
          <Views nav={nav} dispatch={dispatch} height={viewHeight} width={columns} now={now} />
        </Box>
        {nav.overlay ? <Overlay overlay={nav.overlay} dispatch={dispatch} actions={actions} config={config} height={body} /> : null}
      </ErrorBoundary>
      <StatusLine notes={snap.notes} columns={columns} {...(snap.banner ? { banner: snap.banner } : {})} />
      <Footer keys={keysFor(nav)} width={columns} />
    </Box>
    </KeysContext.Provider>
  );
}
