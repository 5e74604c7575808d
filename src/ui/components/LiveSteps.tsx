import { Text } from 'ink';
import type { LiveStep } from '../../handlers/live.js';
import { duration } from '../format.js';

/** Each running command step: its try, elapsed time against its timeout, its last output, the tries that failed. */
export function LiveSteps({ live, now, retries }: { live: Record<string, LiveStep>; now: number; retries: (step: string) => number }) {
  const rows = Object.entries(live).filter(([, l]) => l.running || l.failed.length > 0);
  if (rows.length === 0) return null;
  return (
    <>
      {rows.slice(0, 3).map(([step, l]) => {
        const r = l.running;
        const lastFail = l.failed.at(-1);
        return (
          <Text key={step} wrap="truncate-end">
            <Text color="cyan">{`⚙ ${step}`}</Text>
            {r ? <Text>{` try ${r.try}/${retries(step) + 1} · ${duration(now - r.startedAt)}${r.timeoutMs ? ` of ${duration(r.timeoutMs)}` : ''}`}</Text> : null}
            {lastFail ? <Text color="red">{` · try ${lastFail.try} failed: ${lastFail.reason.split('\n')[0]}`}</Text> : null}
            {r && l.tail.length ? <Text dimColor>{` · ${l.tail.at(-1)}`}</Text> : null}
          </Text>
        );
      })}
    </>
  );
}
