import { makeTemp } from '../temp.js';
import path from 'node:path';
import type { AnyRecord } from '../../src/store/types.js';

/** A fresh temp folder for one test. */
export async function tempDir(): Promise<string> {
  return makeTemp('teamstate-store-');
}

/** Records seq from..to with a small payload. */
export function recs(from: number, to: number, extra: Record<string, unknown> = {}): AnyRecord[] {
  const out: AnyRecord[] = [];
  for (let seq = from; seq <= to; seq++) out.push({ seq, type: 'event', n: seq * 10, ...extra });
  return out;
}

export const journalFile = (runsDir: string, runId: string): string => path.join(runsDir, runId, 'journal.jsonl');

/** A load's result with its snapshot's data read: a store may read the data only when it is asked for (a getter, not an own field). */
export function plainLoad<T extends { snapshot?: { seq: number; data: unknown; head?: unknown } }>(loaded: T): T {
  const s = loaded.snapshot;
  return s ? { ...loaded, snapshot: { seq: s.seq, data: s.data, ...(s.head !== undefined ? { head: s.head } : {}) } } : loaded;
}
