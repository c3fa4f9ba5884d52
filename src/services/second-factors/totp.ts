import { Secret, TOTP } from 'otpauth';
import { DomainError } from '../../core/errors.ts';
import type { Executor } from '../../store/database.ts';
import {
  confirmTotpFactor,
  consumeRecoveryCode,
  countUnusedRecoveryCodes,
  everyConfirmedTotp,
  findActiveTotp,
  findPendingTotp,
  insertRecoveryCodes,
  insertTotp,
  retireTotp,
  secondFactorFlags,
  totpFactorsHeldAt,
  replaceTotpSecret,
  restoreRecoveryCodesVoidedAt,
  voidRecoveryCodesIssuedAt,
  useTotpStep,
  voidRecoveryCodes,
  type TotpFactorRow,
} from '../../store/factors.ts';
import { setRemovedAt } from '../../store/profile.ts';
import { actorFrom } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { requireAccount } from '../account/profile.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import { assertPrivileged, type ActiveSession } from '../sessions/sessions.ts';
import { hashToken } from '../../platform/token-hash.ts';

/**
 * TOTP (RFC 6238, 6 digits, 30 s, 160-bit seed) with ten recovery codes of 125 bits each. Codes of
 * that strength may be stored as SHA-256 (STANDARDS B3: ≥112 bits); each is usable once.
 */
const RECOVERY_CODE_COUNT = 10;
const PERIOD_S = 30;

function totpFor(secret: string, label: string, issuer: string): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: PERIOD_S, secret: Secret.fromBase32(secret) });
}

function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z2-7]/g, '');
}

export function hashRecoveryCode(code: string): string {
  return hashToken(normalizeRecoveryCode(code));
}

function newRecoveryCode(): string {
  const base32 = new Secret({ size: 16 }).base32.slice(0, 25);
  return base32.match(/.{5}/g)?.join('-') ?? base32;
}

export function secondFactorsOf(db: Executor, accountId: string): Promise<{ totp: boolean; passkey: boolean }> {
  return secondFactorFlags(db, accountId);
}

/** A TOTP app or a passkey: then a password alone no longer signs in, and 8 characters are enough. */
export async function hasSecondFactor(db: Executor, accountId: string): Promise<boolean> {
  const factors = await secondFactorsOf(db, accountId);
  return factors.totp || factors.passkey;
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
}

/** The new set replaces the old: usable codes are voided at the moment the new ones are issued (an undo matches the two). */
async function storeRecoveryCodes(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
  codes: string[],
): Promise<string> {
  const now = deps.clock.now().toISOString();
  await voidRecoveryCodes(trx, accountId, now);
  await insertRecoveryCodes(
    trx,
    codes.map((c) => ({
      id: deps.random.id(),
      account_id: accountId,
      code_hash: hashRecoveryCode(c),
      created_at: now,
    })),
  );
  return now;
}

/** With the first second factor come recovery codes, for the day the phone or the passkey is lost. */
export async function issueRecoveryCodesIfNone(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
): Promise<string[] | null> {
  if ((await countUnusedRecoveryCodes(trx, accountId)) > 0) return null;
  const codes = newRecoveryCodes();
  await storeRecoveryCodes(trx, deps, accountId, codes);
  return codes;
}

/**
 * A new set of recovery codes (the old ones lost, used up or seen by someone else): the unused ones stop
 * working. Needs recent authentication and a second factor, and is announced like any factor change;
 * an incident's undo brings the owner's set back if an intruder did it.
 */
export async function renewRecoveryCodes(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
): Promise<string[]> {
  assertPrivileged(deps, session);
  const codes = newRecoveryCodes();
  await deps.db.transaction().execute(async (trx) => {
    if (!(await hasSecondFactor(trx, session.accountId))) throw new DomainError('NOT_FOUND');
    const issuedAt = await storeRecoveryCodes(trx, deps, session.accountId, codes);
    const account = await requireAccount(trx, session.accountId);
    await recordSensitiveChange(trx, deps, account, {
      kind: 'recovery-codes-renewed',
      actor: actorFrom(origin),
      after: { issued_at: issuedAt },
    });
  });
  deps.mailQueued();
  return codes;
}

/** An undo of a renewal: the set it issued is voided, and the set it voided is usable again. */
export async function restoreRecoveryCodesBefore(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
  renewedAt: string,
): Promise<void> {
  await restoreRecoveryCodesVoidedAt(trx, accountId, renewedAt);
  await voidRecoveryCodesIssuedAt(trx, accountId, deps.clock.now().toISOString(), renewedAt);
}

export interface TwoStepStatus {
  active: boolean;
  /** A passkey is a second factor too: recovery codes can be renewed with one alone. */
  passkey: boolean;
  pending: { secret: string; uri: string } | null;
  unusedRecoveryCodes: number;
}

export async function twoStepStatus(deps: ServiceDeps, session: ActiveSession): Promise<TwoStepStatus> {
  const [active, pending, unused, factors] = await Promise.all([
    findActiveTotp(deps.db, session.accountId),
    findPendingTotp(deps.db, session.accountId),
    countUnusedRecoveryCodes(deps.db, session.accountId),
    secondFactorsOf(deps.db, session.accountId),
  ]);
  const label = session.account?.email ?? 'account';
  const seed = pending && !active ? seedOf(deps, pending) : null;
  return {
    active: active !== undefined,
    passkey: factors.passkey,
    pending: seed ? { secret: seed, uri: totpUri(seed, label, deps.config.shopName) } : null,
    unusedRecoveryCodes: unused,
  };
}

/** A factor's seed is sealed to its own row: a sealed seed copied to another factor does not open. */
export const seedContext = (factorId: string): string => `totp-seed:${factorId}`;

function seedOf(deps: ServiceDeps, factor: Pick<TotpFactorRow, 'id' | 'secret'>): string {
  return deps.secrets.open(factor.secret, seedContext(factor.id));
}

/** An authenticator in use is never replaced in one step: it is turned off first, which is announced on its own. */
async function assertNoActiveTotp(trx: Executor, accountId: string): Promise<void> {
  if (await findActiveTotp(trx, accountId)) throw new DomainError('TOTP_ALREADY_ON');
}

/** Starts enrolment: a fresh seed, not yet active until a code from it is entered. */
export async function startTotpSetup(deps: ServiceDeps, session: ActiveSession): Promise<void> {
  assertPrivileged(deps, session);
  const now = deps.clock.now().toISOString();
  await deps.db.transaction().execute(async (trx) => {
    await assertNoActiveTotp(trx, session.accountId);
    await retireTotp(trx, session.accountId, 'pending', now);
    const id = deps.random.id();
    await insertTotp(trx, {
      id,
      account_id: session.accountId,
      secret: deps.secrets.seal(newTotpSecret(), seedContext(id)),
      created_at: now,
    });
  });
}

/** The 30-second step a code belongs to (one step either side allowed for clock drift), or null. */
export function totpStep(secret: string, code: string, timestamp: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secret, 'x', 'x').validate({ token: code, timestamp, window: 1 });
  return delta === null ? null : Math.floor(timestamp / 1000 / PERIOD_S) + delta;
}

/** An otpauth:// URI for an authenticator app. */
export function totpUri(secret: string, label: string, issuer: string): string {
  return totpFor(secret, label, issuer).toString();
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/**
 * The owner's own authenticator, proven in recovery or restored by an incident's undo, takes over from
 * whatever replaced it, with the recovery codes it had: those voided when it was turned off come back,
 * and those issued since (with what replaced it) are voided.
 */
export async function reinstateTotp(
  trx: Executor,
  deps: ServiceDeps,
  factor: Pick<TotpFactorRow, 'id' | 'account_id' | 'removed_at'>,
): Promise<void> {
  if (!factor.removed_at) return;
  const now = deps.clock.now().toISOString();
  await retireTotp(trx, factor.account_id, 'confirmed', now);
  await setRemovedAt(trx, 'totp_factors', factor.account_id, [factor.id], null);
  await restoreRecoveryCodesVoidedAt(trx, factor.account_id, factor.removed_at);
  await voidRecoveryCodes(trx, factor.account_id, now, factor.removed_at);
}

/** Checks a TOTP code against the factor at the application clock; each step is accepted once. */
async function acceptTotp(trx: Executor, deps: ServiceDeps, factor: TotpFactorRow, code: string): Promise<boolean> {
  const seed = seedOf(deps, factor);
  const step = totpStep(seed, code, deps.clock.now().getTime());
  if (step === null || !(await useTotpStep(trx, factor.id, step))) return false;
  // A seed stored in plain, or under a key being rotated out, is sealed anew the first time it proves itself.
  const resealed = deps.secrets.resealed(factor.secret, seedContext(factor.id));
  if (resealed) await replaceTotpSecret(trx, factor.id, factor.secret, resealed);
  return true;
}

/** Confirms enrolment with a first code; returns the recovery codes, shown once and stored hashed. */
export async function confirmTotp(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  code: string,
): Promise<string[]> {
  assertPrivileged(deps, session);
  const codes = newRecoveryCodes();
  await deps.db.transaction().execute(async (trx) => {
    await assertNoActiveTotp(trx, session.accountId);
    const pending = await findPendingTotp(trx, session.accountId);
    if (!pending || !(await acceptTotp(trx, deps, pending, code.trim()))) {
      throw new DomainError('CODE_INVALID', { fields: [{ field: 'code', code: 'CODE_INVALID' }] });
    }
    const now = deps.clock.now().toISOString();
    await confirmTotpFactor(trx, pending.id, now);
    await storeRecoveryCodes(trx, deps, session.accountId, codes);
    await announceAuthenticator(trx, deps, session.accountId, origin, 'second-factor-added', pending.id);
  });
  deps.mailQueued();
  return codes;
}

/** Turning an authenticator app on or off is announced like any sensitive change, with "This wasn't me". */
async function announceAuthenticator(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
  origin: RequestOrigin,
  kind: 'second-factor-added' | 'second-factor-removed',
  factorId: string,
): Promise<void> {
  const account = await requireAccount(trx, accountId);
  const factor = { factor: 'totp' };
  await recordSensitiveChange(trx, deps, account, {
    kind,
    actor: actorFrom(origin),
    subjectId: factorId,
    ...(kind === 'second-factor-added' ? { after: factor } : { before: factor }),
  });
}

export async function removeTotp(deps: ServiceDeps, session: ActiveSession, origin: RequestOrigin): Promise<void> {
  assertPrivileged(deps, session);
  await deps.db.transaction().execute(async (trx) => {
    const factor = await findActiveTotp(trx, session.accountId);
    if (!factor) throw new DomainError('NOT_FOUND');
    const now = deps.clock.now().toISOString();
    await setRemovedAt(trx, 'totp_factors', session.accountId, [factor.id], now);
    await voidRecoveryCodes(trx, session.accountId, now);
    await announceAuthenticator(trx, deps, session.accountId, origin, 'second-factor-removed', factor.id);
  });
  deps.mailQueued();
}

/**
 * Which of the account's authenticators, in use or removed, accepts this code (each step once); the
 * caller judges whether that one proves anything (core/incident/standing.ts).
 */
export async function authenticatorAccepting(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
  code: string,
): Promise<TotpFactorRow | null> {
  const trimmed = code.trim();
  if (!/^\d{6}$/.test(trimmed)) return null;
  for (const factor of await everyConfirmedTotp(trx, accountId))
    if (await acceptTotp(trx, deps, factor, trimmed)) return factor;
  return null;
}

export { normalizeRecoveryCode };

/** The authenticator in use, or (incident recovery) every one the owner held at `heldAt`. */
async function totpCandidates(trx: Executor, accountId: string, heldAt: string | undefined): Promise<TotpFactorRow[]> {
  if (heldAt) return totpFactorsHeldAt(trx, accountId, heldAt);
  const active = await findActiveTotp(trx, accountId);
  return active ? [active] : [];
}

/**
 * The second step: a current TOTP code or an unused recovery code. Using a recovery code is itself
 * announced to the owner (STANDARDS E7). Returns which was used, or throws CODE_INVALID.
 *
 * With `heldAt` (incident recovery) only what the owner held at that moment counts: an authenticator
 * confirmed before it, even one an intruder replaced or removed since (it becomes the account's
 * authenticator again), or a recovery code issued before it. The intruder's own never do.
 */
export async function verifySecondFactor(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
  code: string,
  origin: RequestOrigin,
  heldAt?: string,
): Promise<'totp' | 'recovery-code'> {
  const trimmed = code.trim();
  for (const factor of await totpCandidates(trx, accountId, heldAt)) {
    if (!(await acceptTotp(trx, deps, factor, trimmed))) continue;
    await reinstateTotp(trx, deps, factor);
    return 'totp';
  }
  const now = deps.clock.now().toISOString();
  if (
    normalizeRecoveryCode(trimmed).length === 25 &&
    (await consumeRecoveryCode(trx, accountId, hashRecoveryCode(trimmed), now, heldAt))
  ) {
    const account = await requireAccount(trx, accountId);
    await recordSensitiveChange(trx, deps, account, { kind: 'recovery-code-used', actor: actorFrom(origin) });
    return 'recovery-code';
  }
  throw new DomainError('CODE_INVALID', { fields: [{ field: 'code', code: 'CODE_INVALID' }] });
}
