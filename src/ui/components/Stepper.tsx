import { Text } from './Text.js';
import Spinner from 'ink-spinner';
import type { Stage } from '../lifecycle.js';
import { duration } from '../format.js';

const MARK: Record<Stage['status'], string> = { done: '✓', current: '', todo: '·', blocked: '!', cancelled: '✗' };
const COLOR: Record<Stage['status'], string> = { done: 'green', current: 'cyan', todo: 'gray', blocked: 'red', cancelled: 'gray' };

/** How wide the whole stepper is on one line. */
function fullWidth(stages: Stage[], elapsed: string): number {
  return stages.reduce((n, s, i) => n + (i > 0 ? 2 : 0) + 2 + s.label.length + (s.status === 'current' || s.status === 'blocked' ? elapsed.length + 1 : 0), 0);
}

/**
 * The lifecycle in one line: done ✓, the current stage with a spinner and its elapsed
 * time, the rest to come. When that does not fit `width`, the stages done are one ✓ each
 * and the ones to come a count, so it stays one line and nothing below it moves.
 */
export function Stepper({ stages, elapsedMs, width = 200 }: { stages: Stage[]; elapsedMs: number; width?: number }) {
  const elapsed = duration(elapsedMs);
  const at = stages.findIndex((s) => s.status === 'current' || s.status === 'blocked');
  if (fullWidth(stages, elapsed) > width && at >= 0) {
    const s = stages[at]!;
    const later = stages.length - at - 1;
    return (
      <Text wrap="truncate-end">
        <Text color="green">{'✓'.repeat(at)}</Text>
        {at > 0 ? ' ' : ''}
        <Text color={COLOR[s.status]} bold>
          {s.status === 'current' ? <Spinner type="dots" /> : MARK[s.status]} {s.label} {elapsed}
        </Text>
        <Text dimColor>{later > 0 ? `  · ${later} more (${stages.at(-1)!.label} last)` : ''}</Text>
      </Text>
    );
  }
  return (
    <Text wrap="truncate-end">
      {stages.map((s, i) => (
        <Text key={s.id}>
          {i > 0 ? '  ' : null}
          <Text color={COLOR[s.status]} bold={s.status === 'current' || s.status === 'blocked'}>
            {s.status === 'current' ? <Spinner type="dots" /> : MARK[s.status]} {s.label}
            {s.status === 'current' || s.status === 'blocked' ? ` ${elapsed}` : ''}
          </Text>
        </Text>
      ))}
    </Text>
  );
}
