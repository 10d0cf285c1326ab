// A one-line text progress bar for `shuyu transfer fetch`:
//   [##########..........]  50.0%  512.0 MiB / 1.0 GiB  98.3 MiB/s  ETA 5s
// Pure rendering plus a printer that redraws the line on a terminal (and prints only the final
// line when the output is not a terminal, so logs stay readable).
import type { FetchProgress } from './fetch-transfer.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function renderProgressBar(progress: Omit<FetchProgress, 'done'>, width = 24): string {
  const { bytes, total, rate } = progress;
  const speed = `${formatBytes(Math.round(rate))}/s`;
  if (total === undefined || total <= 0) return `${formatBytes(bytes)}  ${speed}`;
  const fraction = Math.min(1, bytes / total);
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const eta = rate > 0 ? formatDuration((total - bytes) / rate) : '?';
  return `${bar} ${(fraction * 100).toFixed(1).padStart(5)}%  ${formatBytes(bytes)} / ${formatBytes(total)}  ${speed}  ETA ${eta}`;
}

/** A FetchTransferOptions.onProgress that draws the bar on `out` (default stderr). */
export function progressPrinter(out: NodeJS.WriteStream = process.stderr): (progress: FetchProgress) => void {
  return (progress) => {
    const line = renderProgressBar(progress);
    if (out.isTTY) out.write(`\r${line}\x1b[K${progress.done ? '\n' : ''}`);
    else if (progress.done) out.write(`${line}\n`);
  };
}
