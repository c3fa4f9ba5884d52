import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Clock, Random } from '../core/clock.ts';
import { devMailboxMailer, smtpMailer, type Mailer } from '../delivery/mailer.ts';
import { receiverClient, type ReceiverClient } from '../delivery/http-post.ts';
import { createOutboxWorker, type OutboxWorker } from '../delivery/outbox-worker.ts';
import type { ResolveHost } from '../delivery/receiver-agents.ts';
import { buildApp } from '../http/app.ts';
import { requestLogSerializer } from '../http/request-log.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { sweepExpiredOidc } from '../services/oidc/adapter.ts';
import { logoutTokenSigner } from '../services/oidc/logout-tokens.ts';
import { tokenSigner } from '../services/oidc/token-signer.ts';
import { securityEventToken } from '../services/ssf/security-events.ts';
import { securityEventTargets } from '../services/ssf/streams.ts';
import { AfterAnswer } from '../platform/after-answer.ts';
import { createMetrics } from '../platform/metrics.ts';
import { storeSnapshot } from '../services/operations/store-snapshot.ts';
import { bundledGeoipPath, mmdbGeoLocator, type GeoLocator } from '../platform/geoip.ts';
import { advanceDueIncidents } from '../services/incidents/lifecycle.ts';
import { applyDueDelayedChanges } from '../services/delayed-changes/pending.ts';
import { pruneRiskCounters } from '../services/risk/assessment.ts';
import { PasswordHasher } from '../platform/password-hasher.ts';
import { legacySignInClient } from '../platform/legacy-sign-in.ts';
import { PasswordStrength } from '../platform/password-strength.ts';
import { openStore, type Store } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { cryptoRandom, systemClock } from './clock.ts';
import { secretBoxFor } from './service-key.ts';

export interface Mamori {
  app: FastifyInstance;
  deps: ServiceDeps;
  store: Store;
  worker: OutboxWorker;
  /** The one client that sends to shops' endpoints, within the receiver policy. */
  receivers: ReceiverClient;
  log: Logger;
  close(): Promise<void>;
}

export interface ComposeOptions {
  clock?: Clock;
  random?: Random;
  log?: Logger;
  /** Overrides the mailer chosen from the configuration (tests pass their own). */
  mailer?: Mailer;
  /** Overrides the GeoIP database (tests pass fixed answers). */
  geo?: GeoLocator;
  /** How often the worker polls the outbox; 0 leaves it to the caller (tests call runOnce). */
  workerIntervalMs?: number;
  /** Overrides DNS for shops' endpoints (tests answer from a table). */
  resolveHost?: ResolveHost;
  /** How often a SQLite file's WAL is checkpointed off the event loop (openStore); 0 leaves it to SQLite. */
  walCheckpointMs?: number;
}

/** Secrets, tokens and passwords never reach the log, whatever a future log line passes in. */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  '*.password',
  '*.token',
  '*.newPassword',
  '*.currentPassword',
];

export function createLogger(config: Readonly<Config>): Logger {
  return pino({
    level: config.logLevel,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { req: requestLogSerializer, err: pino.stdSerializers.err },
  });
}

/** The composition root: the one place where real or fake clocks, stores and mailers are chosen. */
export async function composeMamori(config: Readonly<Config>, options: ComposeOptions = {}): Promise<Mamori> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const log = options.log ?? createLogger(config);
  const store = openStore(config.databaseUrl, { checkpointEveryMs: options.walCheckpointMs ?? 1000 });
  await migrateToLatest(store.db);

  const mailer =
    options.mailer ??
    (config.smtpUrl
      ? smtpMailer(config.smtpUrl, config.mailFrom, config.publicUrl)
      : devMailboxMailer(store.db, clock, random));
  const secrets = secretBoxFor(config);
  const metrics = createMetrics(() => storeSnapshot({ db: store.db, clock }), {
    processMetrics: config.metricsToken !== null,
  });
  const receivers = receiverClient(config.receivers, options.resolveHost);
  // The worker and the services refer to each other: services ask for a delivery run after a commit,
  // the worker's tick opens recovery for incidents whose wait ran out. Each only calls the other later.
  const worker: OutboxWorker = createOutboxWorker({
    db: store.db,
    clock,
    mailer,
    log,
    metrics,
    mail: { shopName: config.shopName, supportEmail: config.supportEmail, timeZone: config.timeZone },
    tick: async () => {
      await deps.afterAnswer.settled();
      await advanceDueIncidents(deps);
      await applyDueDelayedChanges(deps);
      await pruneRiskCounters(deps);
      await sweepExpiredOidc(deps);
    },
    signLogoutToken: (order) => signLogoutToken(order),
    postToReceiver: receivers.post,
    securityEvents: {
      ...securityEventTargets({ db: store.db, secrets, clock }),
      token: (jti, model) => signSecurityEvent(jti, model),
    },
  });
  const deps: ServiceDeps = {
    db: store.db,
    clock,
    random,
    config,
    hasher: new PasswordHasher(config.argon2, config.hashConcurrency),
    strength: new PasswordStrength(),
    log,
    geo: options.geo ?? mmdbGeoLocator(config.geoipDatabase ?? bundledGeoipPath()),
    secrets,
    mailQueued: () => worker.kick(),
    afterAnswer: new AfterAnswer(log),
    metrics,
    legacySignIn: config.legacySignIn ? legacySignInClient(config.legacySignIn, receivers.post, clock) : null,
  };
  const sign = tokenSigner(deps);
  const signLogoutToken = logoutTokenSigner(deps, sign);
  const signSecurityEvent = securityEventToken(config.publicUrl, sign);
  const app = await buildApp({
    deps,
    log,
    devMailbox: config.mode === 'development' && !config.smtpUrl,
    signSecurityEvent,
  });
  const interval = options.workerIntervalMs ?? 1000;
  if (interval > 0) worker.start(interval);

  return {
    app,
    deps,
    store,
    worker,
    receivers,
    log,
    async close() {
      await app.close();
      await deps.afterAnswer.settled();
      await worker.stop();
      receivers.close();
      mailer.close();
      await store.close();
    },
  };
}
