/**
 * The import progress bar on a terminal: percentage of the file(s) read, rows read, rows per
 * second and time left (cli-progress); once a file is read, what the import is doing instead of
 * the time left (building indexes can take half a minute at a million rows, with the bar full).
 * Only for a TTY: the caller decides.
 */
import { Format, SingleBar } from 'cli-progress';

export interface ImportProgress {
  update(bytesRead: number, totalBytes: number, rows: number): void;
  /** What the import does after reading (shown until reading goes on), or null. */
  phase(text: string | null): void;
  stop(): void;
}

export function importProgressBar(stream: NodeJS.WriteStream, label: string): ImportProgress {
  const started = Date.now();
  const reading = `${label} [{bar}] {percentage}% | {rows} rows | {speed} rows/s | {eta_formatted} left`;
  const finishing = `${label} [{bar}] {percentage}% | {rows} rows | {phase}`;
  const bar = new SingleBar({
    stream,
    // The time left while reading; the phase after.
    format: (options, params, payload: { phase?: string | null }) => Format.Formatter({ ...options, format: payload.phase ? finishing : reading }, params, payload),
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
      const payload = { rows: rows.toLocaleString('en-GB'), speed: secs > 0 ? Math.round(rows / secs).toLocaleString('en-GB') : '-', phase: null };
      if (!startedBar) {
        bar.start(Math.max(totalBytes, 1), bytesRead, payload);
        startedBar = true;
      } else bar.update(bytesRead, payload);
    },
    phase(text) {
      if (!startedBar) return;
      bar.update({ phase: text });
      bar.render(); // now: the work that follows holds the event loop, so the timer would not draw it
    },
    stop() {
      if (startedBar) bar.stop();
    },
  };
}
