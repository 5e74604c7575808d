/** `--name value` from argv, else the environment variable, else `dflt`. */
export function argString(name: string, dflt?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] : process.argv[i + 1];
  if (v !== undefined) return v;
  if (dflt === undefined) throw new Error(`--${name} is required`);
  return dflt;
}

/** A numeric `--name value` (see {@link argString}); refuses what is not a number. */
export function argNumber(name: string, dflt: number): number {
  const v = Number(argString(name, String(dflt)));
  if (!Number.isFinite(v)) throw new Error(`--${name}: expected a number`);
  return v;
}

/** Whether `--name` is present. */
export const argFlag = (name: string): boolean => process.argv.includes(`--${name}`);

/** Percentiles of a sample, in its unit. */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.length ? sum / sorted.length : NaN, max: sorted.at(-1) ?? NaN };
}
