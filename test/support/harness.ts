import { after, describe } from 'node:test';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import type { OutgoingMail } from '../../src/delivery/mailer.ts';
import { MemoryMailer } from '../../src/delivery/memory-mailer.ts';
import { createOutboxWorker, type OutboxWorker } from '../../src/delivery/outbox-worker.ts';
import type { ResolveHost } from '../../src/delivery/receiver-agents.ts';
import { composeMamori, type Mamori } from '../../src/runtime/compose.ts';
import { tokenSigner } from '../../src/services/oidc/token-signer.ts';
import { securityEventToken } from '../../src/services/ssf/security-events.ts';
import { securityEventTargets } from '../../src/services/ssf/streams.ts';
import { FakeClock } from '../../src/runtime/clock.ts';
import type { GeoLocator } from '../../src/platform/geoip.ts';
import { pgCluster, postgresUnavailable, stopClusterIfStarted } from './postgres.ts';

export type StoreName = 'sqlite' | 'postgres';

/** Mail captured in memory, with a switch to make the relay fail the next N sends. */
export class CaptureMailer extends MemoryMailer {
  failNext = 0;
  override async send(mail: OutgoingMail): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('relay unavailable');
    }
    await super.send(mail);
  }
}

export interface TestMamori extends Mamori {
  clock: FakeClock;
  mailer: CaptureMailer;
  config: Readonly<Config>;
  /** Runs the outbox worker until nothing is due. */
  deliver(): Promise<number>;
}

export async function databaseUrlFor(store: StoreName): Promise<string> {
  return store === 'sqlite' ? 'sqlite::memory:' : (await pgCluster()).newDatabaseUrl();
}

/** A clock that moves on by a millisecond at every read, as a real one does between the awaits of one request. */
export class TickingClock extends FakeClock {
  override now(): Date {
    const at = super.now();
    this.advance(1);
    return at;
  }
}

export async function startMamori(
  store: StoreName,
  env: Record<string, string> = {},
  options: { geo?: GeoLocator; log?: Logger; clock?: FakeClock; resolveHost?: ResolveHost } = {},
): Promise<TestMamori> {
  const config = loadConfig({
    MAMORI_DATABASE_URL: await databaseUrlFor(store),
    MAMORI_SHOP_NAME: 'Maple Market',
    MAMORI_DEFAULT_LOCALE: 'en',
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_PUBLIC_URL: 'http://localhost:3000',
    ...env,
  });
  const clock = options.clock ?? new FakeClock('2026-03-02T05:46:00.000Z');
  const mailer = new CaptureMailer();
  const mamori = await composeMamori(config, {
    clock,
    mailer,
    workerIntervalMs: 0,
    log: options.log ?? pino({ level: 'silent' }),
    geo: options.geo,
    resolveHost: options.resolveHost,
  });
  return { ...mamori, clock, mailer, config, deliver: () => mamori.worker.runOnce() };
}

/** Runs the same suite on SQLite and on PostgreSQL (STYLE 11); PostgreSQL says why when it is skipped. */
export function forEachStore(title: string, suite: (store: StoreName) => void): void {
  for (const store of ['sqlite', 'postgres'] as const) {
    const skip = store === 'postgres' ? (postgresUnavailable ?? false) : false;
    describe(`${title} [${store}]`, { skip }, () => suite(store));
  }
  after(() => stopClusterIfStarted());
}

/** A logger that keeps every line in memory, to check what was logged (and that no secret was). */
export function memoryLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { log, lines };
}

/** A second outbox worker on the same store, as another instance of Mamori would run it. */
export function anotherWorker(m: TestMamori): OutboxWorker {
  return createOutboxWorker({
    db: m.deps.db,
    clock: m.clock,
    mailer: m.mailer,
    log: pino({ level: 'silent' }),
    mail: { shopName: m.config.shopName, supportEmail: m.config.supportEmail, timeZone: m.config.timeZone },
    securityEvents: {
      ...securityEventTargets(m.deps),
      token: securityEventToken(m.config.publicUrl, tokenSigner(m.deps)),
    },
    postToReceiver: m.receivers.post,
  });
}
