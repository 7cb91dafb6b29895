/** A small text chart of closing prices: one column per bar, block characters, min/max labels. */
import type { Bar } from '../index';

const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** Renders `bars` as a `height`-row chart with price labels and the first/last bar times. */
export function barChart(bars: readonly Bar[], height = 8): string {
  if (bars.length === 0) return '(no bars)';
  const closes = bars.map((b) => Number(b.close));
  const min = Math.min(...closes);
  const max = Math.max(...closes);
  const span = max - min || 1;
  // Each close becomes a height in eighths of a row.
  const levels = closes.map((v) => Math.round(((v - min) / span) * (height * 8 - 1)) + 1);
  const labels = [max, min].map((v) => v.toFixed(2));
  const width = Math.max(...labels.map((l) => l.length));
  const rows: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    const line = levels.map((level) => BLOCKS[Math.max(0, Math.min(8, level - row * 8))]).join('');
    const label = row === height - 1 ? labels[0] : row === 0 ? labels[1] : '';
    rows.push(`${(label ?? '').padStart(width)} ┤${line}`);
  }
  const first = bars[0]?.start ?? '';
  const last = bars.at(-1)?.start ?? '';
  rows.push(`${' '.repeat(width)} └${'─'.repeat(bars.length)}`);
  rows.push(
    `${' '.repeat(width)}  ${first.slice(0, 10)} … ${last.slice(0, 10)}  (${bars.length} bars, last close ${bars.at(-1)?.close})`,
  );
  return rows.join('\n');
}
