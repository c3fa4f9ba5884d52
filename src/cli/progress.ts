/** Where a long CLI job stands: rows so far, the share of the input read, seconds since it started. */
export interface Progress {
  rows: number;
  /** 0 to 1: how much of the input was read (bytes for a file, since rows are not counted ahead). */
  share: number;
  seconds: number;
}

const BAR_WIDTH = 24;

/** `42.0% · 4,200 rows · 5,100 rows/s · ETA 1s`, with a bar in front for a terminal. */
export function progressLine(p: Progress, bar: boolean): string {
  const seconds = Math.max(p.seconds, 0.001);
  const share = Math.min(Math.max(p.share, 0), 1);
  const rate = p.rows / seconds;
  const eta = share > 0 ? Math.max(0, Math.round(seconds / share - seconds)) : null;
  const filled = Math.round(share * BAR_WIDTH);
  const text = [
    `${(share * 100).toFixed(1).padStart(5)}%`,
    `${p.rows.toLocaleString('en')} rows`,
    `${Math.round(rate).toLocaleString('en')} rows/s`,
    `ETA ${eta === null ? '?' : `${eta}s`}`,
  ].join(' · ');
  return bar ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${text}` : text;
}

/**
 * Shows progress on stderr: on a terminal one bar redrawn in place; otherwise (a log, a pipe) a line
 * now and then, the first at once and then at most one per `everyMs`, so a log is not flooded.
 */
export function progressReporter(
  stream: { isTTY?: boolean; write(text: string): unknown },
  now: () => number,
  everyMs = 1000,
) {
  let lastLine = -Infinity;
  return {
    show(p: Progress) {
      if (stream.isTTY) {
        stream.write(`\r${progressLine(p, true)}`);
        return;
      }
      if (now() - lastLine < everyMs) return;
      lastLine = now();
      stream.write(`${progressLine(p, false)}\n`);
    },
    done(p: Progress) {
      stream.write(stream.isTTY ? `\r${progressLine(p, true)}\n` : `${progressLine(p, false)}\n`);
    },
  };
}
