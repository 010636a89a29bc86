/**
 * The one table `make bench` prints: a row per figure with the peers measured in the same run, the
 * ratios, the target and whether it holds. Markdown, so that docs/benchmarks.md can quote a run
 * as printed. It judges by printing ✓ or ✗ and never fails.
 */

export interface Row {
  figure: string;
  /** How many rounds the numbers are medians of, or what else they are. */
  runs: string;
  ytconv: string;
  /** What the same run measured for the yardsticks. */
  peers: string;
  ratios: string;
  target: string;
  /** One per part of the target. */
  holds: boolean[];
}

const HEAD = ['figure', 'runs', 'ytconv', 'peers, same run', 'ratio', 'target', 'holds'];

export function printTable(rows: readonly Row[]): void {
  const line = (cells: readonly string[]) => console.log(`| ${cells.map((c) => c.replaceAll('|', '/')).join(' | ')} |`);
  line(HEAD);
  line(HEAD.map(() => '---'));
  for (const r of rows) {
    line([r.figure, r.runs, r.ytconv, r.peers, r.ratios, r.target, r.holds.map((h) => (h ? '✓' : '✗')).join(' ')]);
  }
}

/** A figure that could not be measured: the row says why, and nothing holds. */
export function failedRow(figure: string, target: string, err: unknown): Row {
  const why = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 120) ?? '';
  return { figure, runs: '–', ytconv: `failed: ${why}`, peers: '–', ratios: '–', target, holds: [false] };
}

/** The row `make` gives, or a failed row for `figure` if it throws: one figure never stops the rest. */
export async function guarded(figure: string, target: string, make: () => Promise<Row>): Promise<Row> {
  try {
    return await make();
  } catch (err) {
    process.stderr.write(`${figure}: ${err instanceof Error ? err.stack : String(err)}\n`);
    return failedRow(figure, target, err);
  }
}

export const seconds = (s: number): string => `${s.toFixed(s < 10 ? 2 : 1)} s`;
export const ms = (s: number): string => `${(s * 1000).toFixed(0)} ms`;
export const times = (ratio: number): string => `${ratio.toFixed(2)}×`;
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;

/** "4-min", "60-min", or seconds when a quick run shrinks the media. */
export function length(mediaSeconds: number): string {
  return mediaSeconds >= 60 ? `${Math.round(mediaSeconds / 60)}-min` : `${mediaSeconds}-s`;
}
