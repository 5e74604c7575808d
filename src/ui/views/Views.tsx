import type { Nav, NavAction } from '../nav.js';
import { InboxView } from './InboxView.js';
import { LogView } from './LogView.js';
import { RunView } from './RunView.js';
import { RunsView } from './RunsView.js';

/** Picks the view for `nav.view`. */
export function Views(props: { nav: Nav; dispatch: (a: NavAction) => void; height: number; width: number; now: number }) {
  switch (props.nav.view) {
    case 'runs':
      return <RunsView {...props} />;
    case 'run':
      return <RunView {...props} />;
    case 'inbox':
      return <InboxView {...props} />;
    case 'log':
      return <LogView {...props} />;
  }
}
