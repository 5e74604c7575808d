/** "1 file", "3 files", "1 entry"/"2 entries" with `many`: counts in text people read. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
