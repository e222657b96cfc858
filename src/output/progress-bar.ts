/**
 * The import progress bar on a terminal: percentage of the file(s) read, rows read, rows per
 * second and time left (cli-progress). Only for a TTY: the caller decides.
 */
import { SingleBar } from 'cli-progress';

export interface ImportProgress {
  update(bytesRead: number, totalBytes: number, rows: number): void;
  stop(): void;
}

export function importProgressBar(stream: NodeJS.WriteStream, label: string): ImportProgress {
  const started = Date.now();
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {percentage}% | {rows} rows | {speed} rows/s | {eta_formatted} left`,
    barCompleteChar: '#',
    barIncompleteChar: '.',
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
    fps: 5,
  });
  let startedBar = false;
  return {
    update(bytesRead, totalBytes, rows) {
      const secs = (Date.now() - started) / 1000;
      const payload = { rows: rows.toLocaleString('en-GB'), speed: secs > 0 ? Math.round(rows / secs).toLocaleString('en-GB') : '-' };
      if (!startedBar) {
        bar.start(Math.max(totalBytes, 1), bytesRead, payload);
        startedBar = true;
      } else bar.update(bytesRead, payload);
    },
    stop() {
      if (startedBar) bar.stop();
    },
  };
}
