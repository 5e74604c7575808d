import { Box } from 'ink';
import { Text } from './Text.js';
import { Component } from 'react';
import type { ReactNode } from 'react';
import type { ProjectInfo } from '../../workspace/project.js';
import type { Note } from '../store.js';
import type { Nav } from '../nav.js';
import { wrappedRows } from '../format.js';

const TABS = [
  { key: '1', view: 'runs', label: 'Runs' },
  { key: '2', view: 'inbox', label: 'Inbox' },
  { key: '3', view: 'log', label: 'Log' },
] as const;

/**
 * A line under the header when the project is not one the person chose, or an odd one:
 * the engine writes into it (the agent log, the steps' work), so it must not be a surprise.
 */
export function projectWarning(project: ProjectInfo | undefined): string | undefined {
  if (!project) return undefined;
  if (project.concern) return `! project: ${project.concern}, and the steps and the agent log write there; set "project" in teamstate.json (${project.dir})`;
  if (!project.configured) return `! project: none set in teamstate.json, so the steps work in the workspace's own folder; set "project" to your repository (${project.dir})`;
  return undefined;
}

/** Rows a warning or a note may take before it is cut: what to do stays on screen at 80 columns. */
export const NOTE_ROWS = 2;

/** The rows `text` takes under the header or above the footer, at most {@link NOTE_ROWS}. */
export const noteRows = (text: string | undefined, columns: number): number => (text ? Math.min(NOTE_ROWS, wrappedRows(text, columns)) : 0);

/** The top line: where the person is, whom the engine runs, who decides on plans, the project; a warning under it (up to two rows) when the project is odd. */
export function Header({ nav, member, conductor, root, project, columns = 160 }: { nav: Nav; member: string; conductor: string; root: string; project?: ProjectInfo; columns?: number }) {
  const current = nav.view === 'run' ? 'runs' : nav.view;
  const warning = projectWarning(project);
  return (
    <Box flexDirection="column">
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
      <Text dimColor>{` · plans decided by ${conductor === 'person' ? 'you (the conductor is a person)' : 'the conductor member'} · ${root}${project && !warning ? ` · project ${project.dir}` : ''}`}</Text>
    </Text>
      {warning ? (
        <Box height={noteRows(warning, columns)} overflow="hidden">
          <Text bold color={project?.concern ? 'red' : 'yellow'} wrap="wrap">
            {warning}
          </Text>
        </Box>
      ) : null}
    </Box>
  );
}

const COLOR: Record<Note['level'], string> = { error: 'red', warning: 'yellow', info: 'green' };

/** The latest note's text as shown, or undefined when there is none. */
export function noteText(notes: Note[]): string | undefined {
  const last = notes.at(-1);
  return last ? `${last.level === 'error' ? '✗ ' : last.level === 'warning' ? '! ' : '✓ '}${last.text}` : undefined;
}

/** The latest note (an action's result or refusal, an engine warning; up to two rows) and the embedder's banner. */
export function StatusLine({ notes, banner, columns = 160 }: { notes: Note[]; banner?: string; columns?: number }) {
  const last = notes.at(-1);
  const text = noteText(notes);
  return (
    <Box flexDirection="column">
      {banner ? (
        <Text color="magenta" wrap="truncate-end">
          {banner}
        </Text>
      ) : null}
      <Box height={Math.max(1, noteRows(text, columns))} overflow="hidden">
        <Text color={last ? COLOR[last.level] : undefined} wrap="wrap">
          {text ?? ' '}
        </Text>
      </Box>
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
