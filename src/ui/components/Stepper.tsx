import { Text } from './Text.js';
import Spinner from 'ink-spinner';
import type { Stage } from '../lifecycle.js';
import { duration } from '../format.js';

const MARK: Record<Stage['status'], string> = { done: '✓', current: '', todo: '·', blocked: '!', cancelled: '✗' };
const COLOR: Record<Stage['status'], string> = { done: 'green', current: 'cyan', todo: 'gray', blocked: 'red', cancelled: 'gray' };

/** The lifecycle in one line: done ✓, the current stage with a spinner and its elapsed time, the rest to come. */
export function Stepper({ stages, elapsedMs }: { stages: Stage[]; elapsedMs: number }) {
  return (
    <Text wrap="wrap">
      {stages.map((s, i) => (
        <Text key={s.id}>
          {i > 0 ? '  ' : null}
          <Text color={COLOR[s.status]} bold={s.status === 'current' || s.status === 'blocked'}>
            {s.status === 'current' ? <Spinner type="dots" /> : MARK[s.status]} {s.label}
            {s.status === 'current' || s.status === 'blocked' ? ` ${duration(elapsedMs)}` : ''}
          </Text>
        </Text>
      ))}
    </Text>
  );
}
