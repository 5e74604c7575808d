/** "4s", "3m 05s", "2h 10m", "3d 4h": how long something has waited. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** HH:MM:SS in UTC (the journal's clock). */
export function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

/** `s` on one line in a column `width` wide: padded, or cut with an ellipsis, always leaving a space before the next column. */
export function fit(s: string, width: number): string {
  const line = s.replace(/\s*\n\s*/g, ' ');
  if (width <= 1) return width === 1 ? ' ' : '';
  return line.length < width ? line.padEnd(width) : `${line.slice(0, Math.max(0, width - 2))}… `;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of numbers, scaled to their maximum (a flat zero line when all are 0). */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 ? BARS[0] : BARS[Math.round((v / max) * (BARS.length - 1))])).join('');
}

/** ✓/✗/? per task for yes/no figures. */
export function marks(values: (boolean | null)[]): string {
  return values.map((v) => (v === null ? '?' : v ? '✓' : '✗')).join('');
}

/** "1 run", "3 runs". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `text` broken into lines of at most `width` characters at spaces (a longer word gets a line of its own). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The rows `text` takes when wrapped at word boundaries to `width` columns, as Ink wraps a Text. */
export function wrappedRows(text: string, width: number): number {
  if (width < 1) return 1;
  let rows = 0;
  for (const line of text.split('\n')) {
    rows++;
    let used = 0;
    for (const word of line.split(' ')) {
      const w = [...word].length;
      const need = used === 0 ? w : used + 1 + w;
      if (need <= width) used = need;
      else if (used === 0) {
        // A word longer than the row is cut into rows of its own.
        rows += Math.ceil(w / width) - 1;
        used = w % width || width;
      } else {
        rows++;
        used = w;
        if (w > width) {
          rows += Math.ceil(w / width) - 1;
          used = w % width || width;
        }
      }
    }
  }
  return rows;
}
