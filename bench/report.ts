/** Nearest-rank percentile of `values` (unsorted), rounded to 0.1. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] ?? Number.NaN) * 10) / 10;
}

/** One JSON line per benchmark on stdout, so runs can be compared and collected. */
export function report(name: string, results: Record<string, number | string>): void {
  process.stdout.write(`${JSON.stringify({ bench: name, at: new Date().toISOString(), ...results })}\n`);
}
