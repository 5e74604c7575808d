import { Box } from 'ink';
import { Text } from '../components/Text.js';
import { notCommitted } from '../../engine/git-commit.js';
import { markHeld, personMayDecide, summarize, undeliveredOf, viewOf } from '../../engine/view.js';
import type { TimelineEntry } from '../../engine/view.js';
import { Stepper } from '../components/Stepper.js';
import { Subagents } from '../components/Subagents.js';
import { useActions, useLoad, useSnapshot, useStore } from '../contexts.js';
import { clock, duration, fit, wrapWords } from '../format.js';
import { stagesOf, subagentsOf } from '../lifecycle.js';
import { visible, moveForKey } from '../list.js';
import { formatCost } from '../../handlers/llm/usage.js';
import type { StepName } from '../../workspace/config-schema.js';
import { LiveSteps } from '../components/LiveSteps.js';
import { loadLive, loadTimeline, messageText } from '../loaders.js';
import type { Nav, NavAction } from '../nav.js';
import { runKey, stepToAct } from '../run-keys.js';
import { useList } from '../use-list.js';
import { useKeys } from '../hooks.js';

const DIR: Record<TimelineEntry['dir'], string> = { in: '←', out: '→', step: '⚙', timer: '⏱', person: '☺' };
const PRIORITY_COLOR: Record<string, string> = { CRITICAL: 'red', HIGH: 'yellow', MEDIUM: 'white', LOW: 'gray' };

/** One run: the lifecycle stepper, the sub-agents, the plan, and every message in and out. */
export function RunView({ nav, dispatch, height, width, now }: { nav: Nav; dispatch: (a: NavAction) => void; height: number; width: number; now: number }) {
  const snap = useSnapshot();
  const store = useStore();
  const actions = useActions();
  const runId = nav.runId ?? '';
  const state = store.state(runId);
  const paths = store.engine.paths;
  const config = store.engine.config;
  const loaded = useLoad(() => loadTimeline(paths, runId), `${runId}:${store.revision(runId)}`, 300);
  // A reply journaled but not delivered yet is marked held (the run's state says why): none looks sent when it is not.
  const entries = markHeld(loaded.value ?? [], state);
  const held = state ? undeliveredOf(state) : [];
  const stepConfig = (src: string) => store.engine.config.steps[src as StepName];
  const live = useLoad(
    () => (state ? loadLive(paths, state, (src) => stepConfig(src)?.kind === 'command') : Promise.resolve({})),
    `${runId}:${store.revision(runId)}:${Math.floor(now / 1000)}`,
    500,
  );
  const planLines = state ? (viewOf(state).plan ?? '').split('\n').filter((l) => l.trim()) : [];
  const notice = state ? viewOf(state).notices.filter((n) => n.attention).slice(-1) : [];
  // Fixed lines: the title, the stepper, what it waits on, a notice; then the sub-agents and
  // plan box when at least 3 timeline rows stay; the timeline takes the rest. Every line
  // has its own row: nothing is squeezed to overlap at 60×15.
  const fixed = 3 + notice.length + (held.length ? 1 : 0) + 1;
  const box = Math.min(6, Math.max(0, height - fixed - 3));
  const topBox = box >= 3 ? box : 0;
  const rows = Math.max(1, height - fixed - topBox);
  const [list, move, listNow] = useList(entries.length, rows, { follow: true });

  const open = (e: TimelineEntry) => {
    void messageText(paths, config, (state ? viewOf(state).task.id : undefined) ?? runId, e).then(
      (text) =>
        dispatch({
          type: 'open',
          overlay: {
            kind: 'text',
            title: `${DIR[e.dir]} ${e.type} ${e.dir === 'out' ? 'to' : 'from'} ${e.peer} at ${clock(e.at)}${e.held !== undefined ? ' (held, not delivered yet)' : ''}`,
            // The reason in full, wrapped to the overlay's width: the timeline row has room only for the mark.
            text: e.held !== undefined ? `${wrapWords(`Held, not delivered yet: ${e.held}. The engine retries it.`, Math.max(20, width - 6)).join('\n')}\n\n${text}` : text,
          },
        }),
      (err: Error) => store.note('error', `cannot open the message: ${err.message}`),
    );
  };
  useKeys((input, key) => {
    const step = moveForKey(input, key);
    if (step) move(step);
    else if (key.return && entries[listNow().cursor]) open(entries[listNow().cursor]!);
    else if (input === 'p') dispatch({ type: 'open', overlay: { kind: 'text', title: `Plan of ${runId}`, text: planLines.length ? (viewOf(state!).plan ?? '') : '(no plan yet)' } });
    else runKey(input, runId, { state, pending: snap.pending, actions, dispatch, note: (t) => store.note('error', t) });
  }, 'view');

  if (!state) return <Text color="red">No run {runId} in this workspace (Esc goes back to the runs).</Text>;
  const s = summarize(state, store.engine.config);
  const c = viewOf(state);
  // The work git did not commit at the run's end: what git said, and where the work is.
  const uncommitted = notCommitted(s.gitCommit);
  const manual = snap.pending.find((p) => p.runId === runId);
  const stuck = stepToAct(state, []);
  const decides = !manual && personMayDecide(state, store.engine.config.conductor);
  const half = Math.floor((width - 2) / 2);
  const wide = width >= 120;
  return (
    <Box flexDirection="column" height={height}>
      <Box flexShrink={0}>
      <Text wrap="truncate-end">
        <Text bold>{runId}</Text> <Text>{c.task.subject}</Text>
        <Text dimColor>{` · ${s.state} · since ${duration(now - s.since)} · fix cycles ${s.fixCycles}/${c.fixLimit ?? '?'} · plan revision ${s.revision}${s.usage ? ` · cost ${formatCost(s.usage)}` : ''}`}</Text>
      </Text>
      </Box>
      {/* A run waiting on a person (a manual step too) shows its stage blocked, not spinning. */}
      <Box flexShrink={0}>
        <Stepper stages={stagesOf(state).map((st) => (st.status === 'current' && s.waitsOn === 'person' ? { ...st, status: 'blocked' as const } : st))} elapsedMs={now - state.since} width={width} />
      </Box>
      <Box flexShrink={0}>
      <Text wrap="truncate-end" color={s.waitsOn === 'person' || s.gitCommit?.status === 'failed' ? 'red' : s.waitsOn === 'conductor' ? 'yellow' : undefined}>
        {s.finished ? `finished${c.cancelReason ? `: cancelled (${c.cancelReason})` : ''}${uncommitted ? ` — ${uncommitted}` : ''}` : `waiting on ${s.waitingFor}`}
        {manual ? `  — manual step ${manual.step} waits for you: d done, f failed (prompt in ${manual.dir})` : stuck ? `  — ${stuck} is stuck: t retry, d done, f failed` : ''}
        {decides ? '  — you play the conductor: a approve, r reject' : ''}
      </Text>
      </Box>
      <LiveSteps live={live.value ?? {}} now={now} retries={(step) => { const h = stepConfig(state.steps[step]?.src ?? step); return h?.kind === 'command' ? h.retries : 0; }} />
      {held.length ? (
        <Box flexShrink={0}>
          <Text color="yellow" wrap="truncate-end">{`! ${held[0]!.type} to ${held[0]!.to} held, not delivered yet${held.length > 1 ? ` (+${held.length - 1} more)` : ''}: ${held[0]!.why}`}</Text>
        </Box>
      ) : null}
      {notice.map((n) => (
        <Box key={n.messageId || n.firstLine} flexShrink={0}>
          <Text color="yellow" wrap="truncate-end">{`! ${n.type} from ${n.from}: ${n.firstLine}`}</Text>
        </Box>
      ))}
      {topBox > 0 ? (
      <Box height={topBox} flexShrink={0} overflow="hidden">
        <Subagents lines={subagentsOf(state)} width={half} costs={Object.fromEntries(Object.entries(state.usage?.steps ?? {}).map(([id, u]) => [id, formatCost(u)]))} />
        <Box flexDirection="column" width={half} marginLeft={2}>
          <Text bold>
            Plan <Text dimColor>{planLines.length ? `(${planLines.length} lines, p shows it all${c.adaptations ? `; ${c.adaptations} adaptations in force` : ''})` : '(not drafted yet)'}</Text>
          </Text>
          {planLines.slice(0, topBox - 1).map((l, i) => (
            <Text key={i} wrap="truncate-end" dimColor>
              {l}
            </Text>
          ))}
        </Box>
      </Box>
      ) : null}
      <Box flexShrink={0}>
      <Text bold wrap="truncate-end">
        Timeline <Text dimColor>({entries.length} events; Enter opens one{loaded.error ? `; ${loaded.error}` : ''})</Text>
      </Text>
      </Box>
      {visible(entries, list).map(({ item: e, index }) => (
        <Text key={`${e.seq}-${index}`} wrap="truncate-end" inverse={index === list.cursor}>
          {index === list.cursor ? '› ' : '  '}
          <Text dimColor>{clock(e.at)} </Text>
          {DIR[e.dir]} {fit(e.peer, wide ? 22 : 14)} <Text bold color={e.type === 'failed' ? 'red' : undefined}>{fit(e.type, wide ? 18 : 10)}</Text>
          <Text color={PRIORITY_COLOR[e.priority ?? ''] ?? 'gray'}>{fit(e.priority ?? '', wide ? 10 : 5)}</Text>
          {e.outOfPlace ? <Text color="yellow">[out of place] </Text> : null}
          {e.held !== undefined ? <Text color="yellow">[held] </Text> : null}
          {e.firstLine}
        </Text>
      ))}
    </Box>
  );
}
