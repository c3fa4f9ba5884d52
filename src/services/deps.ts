import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Clock, Random } from '../core/clock.ts';
import type { Db } from '../store/database.ts';
import type { GeoLocator } from '../platform/geoip.ts';
import type { PasswordHasher } from '../platform/password-hasher.ts';
import type { PasswordStrength } from '../platform/password-strength.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import type { AfterAnswer } from '../platform/after-answer.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { AskLegacySystem } from '../platform/legacy-sign-in.ts';

/** What every use case may touch; built once at the composition root (src/runtime/compose.ts). */
export interface ServiceDeps {
  db: Db;
  clock: Clock;
  random: Random;
  config: Readonly<Config>;
  hasher: PasswordHasher;
  strength: PasswordStrength;
  geo: GeoLocator;
  /** Seals secrets the service must read back (TOTP seeds) under the service key. */
  secrets: SecretBox;
  /** Security events by OWASP Logging Vocabulary name; never a secret in them. */
  log: Logger;
  /** Called after a transaction that queued mail commits, so delivery need not wait for the next poll. */
  mailQueued: () => void;
  /** Work a request starts without waiting for it (its answer must not depend on what the work finds). */
  afterAnswer: AfterAnswer;
  /** The operator's figures (`/metrics`). */
  metrics: Metrics;
  /** Asks the shop's old system about an address Mamori does not know (MAMORI_LEGACY_SIGN_IN_URL); null: off. */
  legacySignIn: AskLegacySystem | null;
}

/** Who is acting, as far as the request can tell. */
export interface RequestOrigin {
  ip: string;
  userAgent: string;
  /** The session acting, when signed in. */
  sessionId?: string | null;
  /** SHA-256 of the device cookie: the same browser across sessions. */
  deviceId?: string | null;
  /** ISO country of the address (offline GeoIP), null when unknown. */
  country?: string | null;
}
