/**
 * Events and timers in words, for every place a person reads them (the headless log,
 * `show`, the UI's timeline): no XState ids such as `xstate.done.actor.plan` or
 * `xstate.after.approvalReminder.backend-engineer.awaitingApproval`.
 */

/** "approvalReminder" → "approval reminder". */
export function words(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** The name of a timer from its id or its event type. */
export function timerName(idOrType: string): string {
  const m = /^xstate\.after\.([^.]+)/.exec(idOrType);
  return words(m ? m[1]! : idOrType);
}

/** How a step's done or error event ended it: done, failed, or handed to a person. */
export function stepEnd(event: { type: string; output?: unknown }): 'done' | 'failed' | 'needs a person' | undefined {
  const m = /^xstate\.(done|error)\.actor\./.exec(event.type);
  if (!m) return undefined;
  if (m[1] === 'error') return 'failed';
  const status = (event.output as { status?: string } | undefined)?.status;
  return status === undefined || status === 'done' ? 'done' : status === 'needs-person' ? 'needs a person' : 'failed';
}

/** An event in words: "plan done", "implement failed", "approval reminder timer", "BUG from breaker". */
export function eventLabel(event: { type: string; from?: string; output?: unknown }): string {
  const step = /^xstate\.(?:done|error)\.actor\.(.+)$/.exec(event.type)?.[1];
  if (step) return `${step} ${stepEnd(event)}`;
  if (event.type.startsWith('xstate.after.')) return `${timerName(event.type)} timer`;
  return `${event.type}${event.from ? ` from ${event.from}` : ''}`;
}

/** The first non-empty line of `text`, saying how many lines follow, so multi-line output keeps a row one line. */
export function oneLine(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length <= 1) return lines[0] ?? '';
  return `${lines[0]} (+${lines.length - 1} more line${lines.length === 2 ? '' : 's'})`;
}
