// Small statistics helpers for the benchmarks.
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const ms = (v: number): string => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

export interface Row {
  name: string;
  value: string;
  goal?: string;
  ok?: boolean;
}

export function printTable(title: string, rows: Row[]): void {
  console.log(`\n## ${title}\n`);
  console.log('| measure | result | goal | met |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.value} | ${r.goal ?? ''} | ${r.ok === undefined ? '' : r.ok ? 'yes' : 'NO'} |`);
}
