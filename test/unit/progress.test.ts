import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressLine, progressReporter } from '../../src/cli/progress.ts';

test('a progress line says the share, rows, rows per second and the time left; a terminal gets a bar', () => {
  const p = { rows: 4_200, share: 0.42, seconds: 2 };
  assert.equal(progressLine(p, false), ' 42.0% · 4,200 rows · 2,100 rows/s · ETA 3s');
  assert.equal(
    progressLine(p, true),
    `[${'#'.repeat(10)}${'.'.repeat(14)}]  42.0% · 4,200 rows · 2,100 rows/s · ETA 3s`,
  );
  assert.match(progressLine({ rows: 0, share: 0, seconds: 0 }, false), /ETA \?$/, 'no guess before anything is read');
});

test('on a terminal the bar is redrawn in place; in a log a line at most once a second, the last one always', () => {
  let clock = 0;
  const written: string[] = [];
  const log = progressReporter({ isTTY: false, write: (t: string) => written.push(t) }, () => clock);
  for (let i = 1; i <= 30; i += 1) {
    clock = i * 100;
    log.show({ rows: i * 500, share: i / 30, seconds: clock / 1000 });
  }
  log.done({ rows: 15_000, share: 1, seconds: 3 });
  assert.equal(written.length, 4, written.join(''));
  assert.ok(written.every((line) => line.endsWith('\n') && /rows\/s · ETA \d+s/.test(line)));

  const tty: string[] = [];
  const bar = progressReporter({ isTTY: true, write: (t: string) => tty.push(t) }, () => 0);
  bar.show({ rows: 500, share: 0.5, seconds: 1 });
  bar.done({ rows: 1000, share: 1, seconds: 2 });
  assert.ok(tty[0]?.startsWith('\r[') && !tty[0].endsWith('\n'));
  assert.ok(tty[1]?.startsWith(`\r[${'#'.repeat(24)}]`) && tty[1].endsWith('\n'));
});
