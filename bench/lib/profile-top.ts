import { promises as fs } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** One function's share of a CPU profile's samples. */
export interface Hot {
  fn: string;
  selfPct: number;
}

/** The functions with the most self time in a V8 .cpuprofile, heaviest first. */
export async function topSelf(file: string, count = 15): Promise<Hot[]> {
  const profile = JSON.parse(await fs.readFile(file, 'utf8')) as { nodes: ProfileNode[] };
  const byFn = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^file:\/\//, '').split('/node_modules/').pop()!.replace(process.cwd() + path.sep, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + hits);
  }
  return [...byFn]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, hits]) => ({ fn, selfPct: (100 * hits) / Math.max(1, total) }));
}
