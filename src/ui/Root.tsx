import type { UiActions } from './actions.js';
import { App } from './App.js';
import { ActionsContext, StoreContext } from './contexts.js';
import type { Nav } from './nav.js';
import type { UiStore } from './store.js';

/** The UI with its two contexts: data (the store) and actions. */
export function UiRoot({ store, actions, initial }: { store: UiStore; actions: UiActions; initial?: Nav }) {
  return (
    <StoreContext.Provider value={store}>
      <ActionsContext.Provider value={actions}>
        <App {...(initial ? { initial } : {})} />
      </ActionsContext.Provider>
    </StoreContext.Provider>
  );
}
