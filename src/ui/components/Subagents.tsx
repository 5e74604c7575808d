import { Box } from 'ink';
import { Text } from './Text.js';
import Spinner from 'ink-spinner';
import type { SubagentLine } from '../lifecycle.js';

const COLOR: Record<SubagentLine['status'], string> = { waiting: 'gray', running: 'cyan', stuck: 'red', done: 'green', skipped: 'gray', failed: 'red' };

/** The five sub-agents: live status, each one's findings, and what each cost (when its CLI reported usage). */
export function Subagents({ lines, width, costs = {} }: { lines: SubagentLine[]; width: number; costs?: Record<string, string> }) {
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>Sub-agents</Text>
      {lines.map((l) => (
        <Text key={l.agent} wrap="truncate-end">
          <Text color={COLOR[l.status]}>
            {l.status === 'running' ? <Spinner type="dots" /> : l.status === 'done' ? (l.blocking > 0 ? '✗' : '✓') : l.status === 'waiting' ? '·' : l.status === 'skipped' ? '–' : '!'}{' '}
            {l.agent.padEnd(23)}
          </Text>
          <Text color={l.blocking > 0 ? 'red' : undefined} dimColor={l.status === 'waiting' || l.status === 'skipped'}>
            {l.status === 'done' ? `${l.blocking} blocking · ${l.summary}` : l.status === 'waiting' ? 'not started' : `${l.status}${l.summary ? `: ${l.summary}` : ''}`}
          </Text>
          {costs[l.agent] ? <Text dimColor>{` · ${costs[l.agent]}`}</Text> : null}
        </Text>
      ))}
    </Box>
  );
}
