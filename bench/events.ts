// Issue 15 figure: security event throughput, on PostgreSQL (a throw-away cluster with PostgreSQL's
// durable defaults) and on SQLite in the same run. EVENTS events over ACCOUNTS accounts are queued on one
// push stream, then the outbox worker delivers them to a receiver on 127.0.0.1 that answers 202; the figure
// is SETs accepted per second. Baseline: the same number of bare POSTs to that receiver with the worker's
// own HTTP client, 10 at a time (the worker's subjects side by side), which is the ceiling this machine's
// HTTP allows. Bounded by count.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { receiverClient } from '../src/delivery/http-post.ts';
import { MemoryMailer } from '../src/delivery/memory-mailer.ts';
import { composeMamori } from '../src/runtime/compose.ts';
import { addClient } from '../src/services/oidc/clients.ts';
import { queueSecurityEvents } from '../src/services/ssf/security-events.ts';
import { createStream } from '../src/services/ssf/streams.ts';
import { listenOnLoopback } from '../test/support/loopback.ts';
import { postgresUnavailable, startCluster } from '../test/support/postgres.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const ACCOUNTS = Number(process.env.BENCH_EVENT_ACCOUNTS ?? 300);

async function receiver() {
  let accepted = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      accepted += 1;
      res.writeHead(202).end();
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/events`,
    accepted: () => accepted,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Queues EVENTS credential changes round-robin over ACCOUNTS accounts, then times their delivery. */
async function deliverAll(databaseUrl: string): Promise<number> {
  const shop = await receiver();
  const config = loadConfig({
    MAMORI_DATABASE_URL: databaseUrl,
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_DEMO_ACCOUNT: 'false',
  });
  const m = await composeMamori(config, {
    mailer: new MemoryMailer(),
    workerIntervalMs: 0,
    log: pino({ level: 'silent' }),
  });
  try {
    const { client } = await addClient(m.deps, { name: 'Bench shop', redirectUris: ['http://127.0.0.1:4399/cb'] });
    await createStream(m.deps, client.clientId, {
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: shop.url },
    });
    for (let i = 0; i < EVENTS; i += 50)
      await m.deps.db.transaction().execute((trx) =>
        queueSecurityEvents(
          trx,
          m.deps,
          Array.from({ length: Math.min(50, EVENTS - i) }, (_, k) => ({
            event: {
              name: 'credential-change' as const,
              accountId: `account-${(i + k) % ACCOUNTS}`,
              credentialType: 'password' as const,
              changeType: 'update' as const,
            },
          })),
        ),
      );
    const started = performance.now();
    while (shop.accepted() < EVENTS) {
      if ((await m.worker.runOnce()) === 0) throw new Error(`stuck at ${shop.accepted()} of ${EVENTS}`);
    }
    return EVENTS / ((performance.now() - started) / 1000);
  } finally {
    await m.close();
    await shop.close();
  }
}

/** The ceiling: bare POSTs of a token-sized body to the same kind of receiver, 10 at a time. */
async function barePosts(): Promise<number> {
  const shop = await receiver();
  const body = 'x'.repeat(700);
  // As the worker's own client: development allows the loopback receiver.
  const client = receiverClient(loadConfig({}).receivers);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < EVENTS) {
        next += 1;
        await client.post(shop.url, { 'content-type': 'application/secevent+jwt' }, body);
      }
    }),
  );
  const rate = EVENTS / ((performance.now() - started) / 1000);
  client.close();
  await shop.close();
  return rate;
}

export async function benchEventThroughput(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-events-'));
  try {
    console.log(`\nsecurity event throughput: ${EVENTS} SETs over ${ACCOUNTS} accounts, one push stream`);
    const bare = await barePosts();
    console.log(`  bare POSTs to the receiver (baseline)   ${bare.toFixed(0).padStart(6)} /s`);
    const sqlite = await deliverAll(`sqlite:${join(dir, 'events.sqlite')}`);
    console.log(
      `  SQLite                                  ${sqlite.toFixed(0).padStart(6)} SETs/s   ratio ${(sqlite / bare).toFixed(2)}`,
    );
    if (postgresUnavailable) {
      console.log(`  PostgreSQL: skipped (${postgresUnavailable})`);
      return;
    }
    const cluster = await startCluster({ durable: true });
    try {
      const postgres = await deliverAll(await cluster.newDatabaseUrl());
      console.log(
        `  PostgreSQL (durable defaults)           ${postgres.toFixed(0).padStart(6)} SETs/s   ratio ${(postgres / bare).toFixed(2)}`,
      );
    } finally {
      cluster.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchEventThroughput();
  process.exit(0);
}
