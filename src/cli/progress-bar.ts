/** A one-line progress bar on a terminal (stderr), redrawn in place. */
import type { Progress } from '../pipeline/types.ts';

const WIDTH = 24;
const LABELS = { probing: 'reading', downloading: 'downloading', converting: 'converting', tagging: 'tagging' };

export function progressLine(p: Progress): string {
  const filled = Math.round(p.fraction * WIDTH);
  const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
  const pct = `${String(Math.floor(p.fraction * 100)).padStart(3)}%`;
  const eta = p.eta === null ? '' : `  ETA ${clock(p.eta)}`;
  const item = p.item ? `  [${p.item.index}/${p.item.count}] ${p.item.title ?? ''}` : '';
  return `${bar} ${pct} ${LABELS[p.phase]}${eta}${item}`;
}

function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = String(Math.floor(seconds % 60)).padStart(2, '0');
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function terminalBar(stream: NodeJS.WriteStream): { show(p: Progress): void; clear(): void } {
  const columns = (): number => stream.columns || 80;
  return {
    show: (p) => stream.write(`\r\x1b[2K${progressLine(p).slice(0, columns() - 1)}`),
    clear: () => stream.write('\r\x1b[2K'),
  };
}
