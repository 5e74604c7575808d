import type { AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { getNextTransitions } from 'xstate';
import type { StatePath } from 'xstate/graph';
import { getShortestPaths, getStateNodes } from 'xstate/graph';
import type { Ev, Snap } from './helpers.js';
import * as h from './helpers.js';

/**
 * The backend-engineer's reachable graph under a realistic event set and the small
 * limits of helpers.LIMITS. Built once per test file: the walk takes a few seconds.
 */

/** Which step a `stuck` state belongs to, by its parent state's key. */
const STEP_OF: Record<string, string> = {
  drafting: 'plan',
  validating: 'plan-check',
  prevalidating: 'pre-validate',
  working: 'implement',
  fixing: 'fix',
  ...Object.fromEntries(h.SUBAGENT_IDS.map((a) => [a, a])),
};

/** What a finished step can report, per step. */
function outcomes(id: string): unknown[] {
  const common = [h.failed, h.needsPerson];
  if (id === 'read-log') return [{ adaptations: [] }, { adaptations: [h.LAYERS] }];
  if (id === 'write-log') return [{ entry: '## Task t1' }];
  if (id === 'plan') return [h.planDone(true), h.planDone(false), ...common];
  if ((h.SUBAGENT_IDS as readonly string[]).includes(id)) {
    return [h.ok(`${id} report`, { findings: h.findings(0) }), h.ok(`${id} report`, { findings: h.findings(1) }), ...common];
  }
  return [h.ok(`${id} done`, { files: ['app/services/UserService.py'] }), ...common];
}

/** A message of `type` from every member, so wrong senders are tried everywhere too. */
function fromEveryone(type: string): Ev[] {
  if (type === 'HANDOFF') return h.MEMBERS.map((m) => h.handoff(m));
  if (type === 'PLAN_DECISION') return h.MEMBERS.flatMap((m) => [h.decision(true, m), h.decision(false, m)]);
  if (type === 'BUG') return h.MEMBERS.map((m) => h.bug(m));
  if (type === 'FAIL') return h.MEMBERS.map((m) => h.fail(m));
  if (type === 'NOTICE') return [h.notice()];
  return h.MEMBERS.map((m) => h.msg(type, m));
}

/** The first sub-agent region still at work: regions report one at a time, in order, to keep the graph small. */
function firstBusyRegion(s: Snap): string | undefined {
  const value = s.value as Record<string, unknown>;
  const regions = value.subDelegating as Record<string, string> | undefined;
  return regions ? h.SUBAGENT_IDS.find((a) => regions[a] !== 'finished') : undefined;
}

/**
 * The events worth trying in `s`: every event type some active state handles, each
 * from every sender and with every outcome; timers; a person's RETRY/STEP_COMPLETED.
 */
export function eventsFor(s: Snap): Ev[] {
  if (s.status !== 'active') return [];
  const busy = firstBusyRegion(s);
  const events: Ev[] = [];
  const seen = new Set<string>();
  for (const t of getNextTransitions(s)) {
    const type = t.eventType;
    const owner = t.source.parent?.key ?? '';
    if (busy && (h.SUBAGENT_IDS as readonly string[]).includes(owner) && owner !== busy) continue;
    const key = `${type}|${type === 'RETRY' || type === 'STEP_COMPLETED' ? owner : ''}`;
    if (type === '' || seen.has(key)) continue;
    seen.add(key);
    const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(type);
    if (actor?.[1] === 'done') events.push(...outcomes(actor[2]!).map((o) => h.done(actor[2]!, o)));
    else if (actor) events.push(h.error(actor[2]!));
    else if (type.startsWith('xstate.after.')) events.push({ type });
    else if (type === 'RETRY') events.push(h.retry(STEP_OF[owner]!), h.retry('no-such-step'));
    else if (type === 'STEP_COMPLETED') events.push(h.completed(STEP_OF[owner]!, outcomes(STEP_OF[owner]!)[0] as never), h.completed(STEP_OF[owner]!, h.failed));
    // More BUGs while one is being fixed queue up; one queued is enough to take that path.
    else if ((type === 'BUG' || type === 'FAIL') && s.context.issues.length > 0) continue;
    else if (!type.startsWith('xstate.')) events.push(...fromEveryone(type));
  }
  return events;
}

/** Value plus the counters the guards read: equal keys behave the same from here on. */
export function stateKey(s: Snap): string {
  const c = s.context;
  return JSON.stringify({
    value: s.value,
    status: s.status,
    revision: c.revision,
    round: c.implementRound,
    cyclesLeft: c.limits.fixCycles - c.fixCycles,
    issues: c.issues.length,
    current: c.current !== undefined,
    escalation: c.escalation?.kind,
    schemaChange: c.schemaChange,
    layers: c.adaptations.some((a) => a.rule === 'layer-violations'),
    blocking: Object.values(c.subagents).some((r) => r.status === 'done' && r.blocking > 0),
  });
}

export interface Explored {
  paths: StatePath<Snap, Ev>[];
  /** Every transition some path plus one more event takes, by transitionKey. */
  taken: Set<string>;
  /** Ids of every state node some snapshot rests in or some taken transition leaves or enters. */
  reached: Set<string>;
}

/** The limits the walk runs under: the small ones, and one more fix cycle so a queued issue can be fixed in turn. */
export const WALKS = [h.LIMITS, { ...h.LIMITS, fixCycles: 2 }];

let cache: Explored | undefined;

/** Walks the machine once per WALKS entry: shortest paths to every distinct state, then every event from each. */
export function explore(): Explored {
  if (cache) return cache;
  const paths = WALKS.flatMap(
    (limits) =>
      getShortestPaths(h.machine, { input: h.runInput(limits), events: eventsFor as never, serializeState: stateKey as never, limit: 1_000_000 }) as unknown as StatePath<Snap, Ev>[],
  );
  const taken = new Set<string>();
  const reached = new Set<string>();
  const mark = (n: AnyStateNode) => {
    for (let p: AnyStateNode | undefined = n; p; p = p.parent) reached.add(p.id);
  };
  for (const path of paths) {
    for (const leaf of h.leaves(path.state.value)) mark(h.machine.getStateNodeById(`backend-engineer.${leaf}`));
    for (const e of eventsFor(path.state)) {
      for (const t of h.takenTransitions(path.state, e)) {
        taken.add(h.transitionKey(t));
        mark(t.source);
        for (const target of t.target ?? []) mark(target);
      }
    }
  }
  cache = { paths, taken, reached };
  return cache;
}

/** Every state node of the machine, the root included. */
export function allStateNodes(): AnyStateNode[] {
  return [h.machine.root, ...getStateNodes(h.machine.root)];
}

/** Every transition the machine defines: on, after, onDone/onError, always, on every node. */
export function allTransitions(): AnyTransitionDefinition[] {
  return allStateNodes().flatMap((n) => [...[...n.transitions.values()].flat(), ...(n.always ?? [])]);
}
