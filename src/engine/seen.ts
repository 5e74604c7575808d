import type { EventSource, RunState } from './run-state.js';

/*
 * What a run remembers of the messages and actions it applied (`seen`, derived by the
 * fold from each record's source, never journaled): their keys, and for a message whose
 * key is its [ID:] and whose record carries the digest of its content, `<key>#<digest>`.
 * A message with a key seen already is read again (a duplicate: dropped) unless both
 * digests are known and differ: then it is another message that reuses the ID, and it is
 * kept aside with the reason, never dropped. `#` is in no key: an ID is letters, digits
 * and `. _ : -`, the other keys are hex or a control file's name, which never meets a
 * message's key.
 */

/** The entry of `seen` the fold derives from an applied event's source, if any. */
export function seenEntry(source: EventSource): string | undefined {
  if (source.kind === 'message') return source.digest !== undefined ? `${source.key}#${source.digest}` : source.key;
  return source.kind === 'person' ? source.key : undefined;
}

/** The entry of `seen` that `key` was applied as, if it was. */
export function appliedAs(seen: readonly string[], key: string): string | undefined {
  for (let i = seen.length - 1; i >= 0; i--) {
    const e = seen[i]!;
    if (e === key || (e.length > key.length && e.charCodeAt(key.length) === 35 /* # */ && e.startsWith(key))) return e;
  }
  return undefined;
}

/** Whether the run took an event from `source` already (a message or a person's action). */
export function appliedAlready(state: RunState, source: EventSource): boolean {
  if (source.kind === 'message') return appliedAs(state.seen, source.key) !== undefined;
  return source.kind === 'person' && state.seen.includes(source.key);
}

/**
 * The key a message reuses, when the run applied that key already with other content:
 * both contents are known (the record of the first carries its digest) and they differ.
 * Undefined for a new message and for a copy. A record from before digests were journaled
 * can't tell: its message counts as the same, as before.
 */
export function reusedKey(state: RunState, source: EventSource): string | undefined {
  if (source.kind !== 'message' || source.digest === undefined) return undefined;
  const e = appliedAs(state.seen, source.key);
  return e !== undefined && e !== source.key && e !== `${source.key}#${source.digest}` ? source.key : undefined;
}
