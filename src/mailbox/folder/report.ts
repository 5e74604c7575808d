import { promises as fs } from 'node:fs';
import path from 'node:path';
import { OWN_TEMP } from '../../workspace/atomic.js';
import type { WorkspacePaths } from '../../workspace/paths.js';
import { REASON_SUFFIX, listInbox, lstatOrUndefined, readdirOrEmpty } from './read.js';
import type { InboxEntry } from './read.js';
import { limitsSchema } from '../../workspace/config-schema.js';

/** One file in a report of an inbox. */
export interface InboxReportItem {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
}

/** What `teamstate inbox` shows. */
export interface InboxReport {
  /** Waiting: new/ and the inbox root (`settled` false: changed lately, maybe still being written). */
  new: (InboxReportItem & { where: 'root' | 'new'; kind: InboxEntry['kind']; settled: boolean })[];
  processed: InboxReportItem[];
  /** Newest rejection first (by when its reason was written: a rename keeps the file's own time). */
  rejected: (InboxReportItem & { reason: string; rejectedAtMs: number })[];
}

async function items(dir: string): Promise<InboxReportItem[]> {
  const out: InboxReportItem[] = [];
  for (const name of await readdirOrEmpty(dir)) {
    if (OWN_TEMP.test(name)) continue;
    const st = await lstatOrUndefined(path.join(dir, name));
    if (st) out.push({ name, path: path.join(dir, name), size: st.size, mtimeMs: st.mtimeMs });
  }
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
}

/** Lists `member`'s inbox for people: waiting, processed, and rejected with the first line of each reason. */
export async function listInboxReport(paths: WorkspacePaths, member: string, opts: { now?: number; settleMs?: number } = {}): Promise<InboxReport> {
  const inbox = paths.inbox(member);
  const now = opts.now ?? Date.now();
  const waiting = await listInbox(paths, member);
  const settleMs = opts.settleMs ?? limitsSchema.parse({}).settleMs;
  const rejectedAll = await items(inbox.rejected);
  const names = new Set(rejectedAll.map((i) => i.name));
  const rejected: InboxReport['rejected'] = [];
  for (const item of rejectedAll) {
    // A reason file sits beside each rejected file; a rejected file may itself end in the suffix.
    if (item.name.endsWith(REASON_SUFFIX) && names.has(item.name.slice(0, -REASON_SUFFIX.length))) continue;
    const reasonFile = path.join(inbox.rejected, item.name + REASON_SUFFIX);
    const text = await fs.readFile(reasonFile, 'utf8').catch(() => '');
    const rejectedAtMs = (await lstatOrUndefined(reasonFile))?.mtimeMs ?? item.mtimeMs;
    rejected.push({ ...item, reason: text.split('\n')[0]?.trim() || '(no reason file)', rejectedAtMs });
  }
  // Ties (the same millisecond) go by name, descending: a numbered name (m.md.1) is the later one.
  rejected.sort((a, b) => b.rejectedAtMs - a.rejectedAtMs || b.name.localeCompare(a.name));
  return {
    new: waiting.map((e) => ({ name: e.name, path: e.path, size: e.size, mtimeMs: e.mtimeMs, where: e.where, kind: e.kind, settled: now - e.mtimeMs >= settleMs })),
    processed: await items(inbox.cur),
    rejected,
  };
}
