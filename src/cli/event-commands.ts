import type { Config } from '../config.ts';
import { streamReports } from '../services/ssf/stream-report.ts';
import { openStore } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';

/**
 * `mamori events status`: each shop's security event stream, whether it is failing, and what waits.
 * Exits 1 when a stream is failing, so a cron job or a health check can alert on it.
 */
export async function eventsCommand(
  config: Readonly<Config>,
  argv: string[],
  write: (line: string) => void,
  now: () => Date = () => new Date(),
): Promise<number> {
  if (argv[0] !== 'status' || argv.length > 1) {
    write('Usage: mamori events status');
    return 2;
  }
  const store = openStore(config.databaseUrl);
  try {
    await migrateToLatest(store.db);
    const reports = await streamReports({ db: store.db });
    if (reports.length === 0) write('No security event streams: no shop has opened one yet.');
    for (const r of reports) {
      const counts = Object.entries(r.events)
        .map(([status, n]) => `${n} ${status}`)
        .join(', ');
      const age = r.oldestWaiting
        ? `, oldest waiting ${Math.round((now().getTime() - new Date(r.oldestWaiting).getTime()) / 60_000)} min`
        : '';
      write(`${r.shop}  stream ${r.streamId}  ${r.status}${r.reason ? ` (${r.reason})` : ''}  ${r.method}`);
      if (r.endpoint) write(`  endpoint: ${r.endpoint}`);
      write(`  events: ${counts || 'none yet'}${age}`);
      if (r.failingSince) write(`  FAILING since ${r.failingSince}: an event was given up after every retry`);
    }
    return reports.some((r) => r.failingSince) ? 1 : 0;
  } finally {
    await store.close();
  }
}
