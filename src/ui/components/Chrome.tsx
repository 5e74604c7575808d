import { Box } from 'ink';
import { Text } from './Text.js';
import { Component } from 'react';
import type { ReactNode } from 'react';
import type { Note } from '../store.js';
import type { Nav } from '../nav.js';

const TABS = [
  { key: '1', view: 'runs', label: 'Runs' },
  { key: '2', view: 'inbox', label: 'Inbox' },
  { key: '3', view: 'log', label: 'Log' },
] as const;

/** The top line: where the person is, whom the engine runs, who decides on plans. */
export function Header({ nav, member, conductor, root }: { nav: Nav; member: string; conductor: string; root: string }) {
  const current = nav.view === 'run' ? 'runs' : nav.view;
  return (
    <Text wrap="truncate-end">
      <Text bold color="cyan">
        teamstate
      </Text>
      <Text dimColor> · {member} · </Text>
      {TABS.map((t) => (
        <Text key={t.key} inverse={t.view === current} bold={t.view === current}>
          {` ${t.key} ${t.label} `}
        </Text>
      ))}
      {nav.view === 'run' ? <Text bold>{` › run ${nav.runId} `}</Text> : null}
      <Text dimColor>{` · plans decided by ${conductor === 'person' ? 'you (the conductor is a person)' : 'the conductor member'} · ${root}`}</Text>
    </Text>
  );
}

const COLOR: Record<Note['level'], string> = { error: 'red', warning: 'yellow', info: 'green' };

/** The latest note (an action's result or refusal, an engine warning) and the embedder's banner. */
export function StatusLine({ notes, banner }: { notes: Note[]; banner?: string }) {
  const last = notes.at(-1);
  return (
    <Box flexDirection="column">
      {banner ? (
        <Text color="magenta" wrap="truncate-end">
          {banner}
        </Text>
      ) : null}
      <Text color={last ? COLOR[last.level] : undefined} wrap="truncate-end">
        {last ? `${last.level === 'error' ? '✗ ' : last.level === 'warning' ? '! ' : '✓ '}${last.text}` : ' '}
      </Text>
    </Box>
  );
}

/** A render error shows here instead of taking the UI down; leaving the view clears it. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error) {
      return <Text color="red">This view failed to draw: {this.state.error.message}. Press Esc or 1/2/3 to go elsewhere.</Text>;
    }
    return this.props.children;
  }
}
