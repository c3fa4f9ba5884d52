import { DomainError } from '../../core/errors.ts';
import { isPrivileged, needsTouch, sessionState } from '../../core/session-policy.ts';
import type { AtOnce, Executor } from '../../store/database.ts';
import {
  findSessionWithAccount,
  insertSession,
  findSessionById,
  listLiveSessions,
  markAuthenticated,
  touchSession,
  type CheckedSessionRow,
  type SessionRow,
} from '../../store/sessions.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { describeArea, describeDevice } from '../../platform/device.ts';
import { endSessions } from './end-sessions.ts';
import { parsePasswordUpgrade, type PasswordUpgrade } from '../../core/password-upgrade.ts';
import { hashToken, looksLikeToken } from '../../platform/token-hash.ts';

export interface ActiveSession {
  id: string;
  accountId: string;
  /** What the session check knows about the account, read in the same query. */
  account?: {
    email: string;
    name: string;
    locale: string;
    irreversibleHoldUntil: string | null;
    /** An imported password below the policy still waits for its answer (issue 26). */
    passwordUpgrade: PasswordUpgrade | null;
  };
  createdAt: Date;
  lastSeenAt: Date;
  authenticatedAt: Date;
  deviceLabel: string;
  deviceId: string | null;
  /** The sign-in that started it was challenged by the risk engine (and passed). */
  challenged: boolean;
  /** How that sign-in proved the person (RFC 8176). */
  amr: string[];
}

function toActive(row: CheckedSessionRow): ActiveSession {
  return {
    id: row.id,
    accountId: row.account_id,
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
    authenticatedAt: new Date(row.authenticated_at),
    deviceLabel: row.device_label,
    deviceId: row.device_id,
    challenged: row.risk_decision === 'challenge',
    amr: row.amr.split(' '),
  };
}

/**
 * Whether the session that asked for something is still alive: not ended, not run out. A link or a
 * held change it requested lives no longer than it does.
 */
export async function sessionStillLive(
  db: Executor,
  deps: Pick<ServiceDeps, 'clock' | 'config'>,
  sessionId: string,
): Promise<boolean> {
  const row = await findSessionById(db, sessionId);
  if (!row) return false;
  return (
    sessionState(
      { ...toActive(row), revokedAt: row.revoked_at ? new Date(row.revoked_at) : null },
      deps.clock.now(),
      deps.config.session,
    ) === 'active'
  );
}

/** A fresh token for every sign-in (no fixation: a token from before sign-in is never promoted). */
export async function startSession(
  trx: Executor,
  deps: ServiceDeps,
  accountId: string,
  origin: RequestOrigin,
  riskDecision: 'allow' | 'challenge' = 'allow',
  amr: readonly string[] = ['pwd'],
): Promise<{ token: string; session: ActiveSession }> {
  const { token, row } = newSession(deps, accountId, origin, riskDecision, amr);
  await insertSession(trx, row);
  return { token, session: toActive(row) };
}

/** Inside sqliteAtOnce's work: startSession's session, written there and then. */
export function startSessionNow(
  atOnce: AtOnce,
  deps: ServiceDeps,
  accountId: string,
  origin: RequestOrigin,
  riskDecision: 'allow' | 'challenge',
  amr: readonly string[],
): { token: string; session: ActiveSession } {
  const { token, row } = newSession(deps, accountId, origin, riskDecision, amr);
  insertSession.now(atOnce, row);
  return { token, session: toActive(row) };
}

/** The new session's token and its row (only the token's hash is kept). */
function newSession(
  deps: ServiceDeps,
  accountId: string,
  origin: RequestOrigin,
  riskDecision: 'allow' | 'challenge',
  amr: readonly string[],
): { token: string; row: SessionRow } {
  const now = deps.clock.now().toISOString();
  const token = deps.random.token();
  const row: SessionRow = {
    id: deps.random.id(),
    token_hash: hashToken(token),
    account_id: accountId,
    device_label: describeDevice(origin.userAgent),
    user_agent: origin.userAgent.slice(0, 512),
    ip: origin.ip,
    area: describeArea(origin.ip, origin.country),
    created_at: now,
    last_seen_at: now,
    authenticated_at: now,
    revoked_at: null,
    revoke_reason: null,
    device_id: origin.deviceId ?? null,
    risk_decision: riskDecision,
    amr: amr.join(' '),
  };
  return { token, row };
}

/** What the session check knows about the account, from its row (or the sign-in's read of it). */
export function sessionAccountOf(row: {
  email: string;
  name: string;
  locale: string;
  irreversible_hold_until: string | null;
  password_upgrade: string | null;
}): NonNullable<ActiveSession['account']> {
  return {
    email: row.email,
    name: row.name,
    locale: row.locale,
    irreversibleHoldUntil: row.irreversible_hold_until,
    passwordUpgrade: parsePasswordUpgrade(row.password_upgrade),
  };
}

/**
 * The session check on every request. A read in the common case: last_seen_at is written at most once
 * a minute, so checking a session costs one indexed lookup.
 */
export async function resolveSession(deps: ServiceDeps, token: string | undefined): Promise<ActiveSession | null> {
  if (!looksLikeToken(token)) return null;
  const row = await findSessionWithAccount(deps.db, hashToken(token));
  if (!row || row.status !== 'active') return null;
  const now = deps.clock.now();
  const session: ActiveSession = { ...toActive(row), account: sessionAccountOf(row) };
  const state = sessionState(
    { ...session, revokedAt: row.revoked_at ? new Date(row.revoked_at) : null },
    now,
    deps.config.session,
  );
  if (state !== 'active') return null;
  if (needsTouch(session, now, deps.config.session)) {
    await touchSession(deps.db, row.id, now.toISOString());
    session.lastSeenAt = now;
  }
  return session;
}

export function sessionIsPrivileged(deps: ServiceDeps, session: ActiveSession): boolean {
  return isPrivileged(session, deps.clock.now(), deps.config.session);
}

/** Enforced in the service, so no route can forget it (STYLE 3). */
export function assertPrivileged(deps: ServiceDeps, session: ActiveSession): void {
  if (!sessionIsPrivileged(deps, session)) throw new DomainError('REAUTH_REQUIRED');
}

/** After a re-authentication the session gets a new token too (STANDARDS G1). */
export async function refreshAuthentication(trx: Executor, deps: ServiceDeps, session: ActiveSession): Promise<string> {
  const token = deps.random.token();
  await markAuthenticated(trx, session.id, hashToken(token), deps.clock.now().toISOString());
  return token;
}

export interface SessionListItem {
  id: string;
  deviceLabel: string;
  ip: string;
  area: string | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

export async function listSessions(deps: ServiceDeps, current: ActiveSession): Promise<SessionListItem[]> {
  const now = deps.clock.now();
  const rows = await listLiveSessions(deps.db, current.accountId);
  return rows
    .filter((row) => sessionState({ ...toActive(row), revokedAt: null }, now, deps.config.session) === 'active')
    .map((row) => ({
      id: row.id,
      deviceLabel: row.device_label,
      ip: row.ip,
      area: row.area,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      current: row.id === current.id,
    }));
}

export async function signOut(deps: ServiceDeps, session: ActiveSession): Promise<void> {
  await deps.db
    .transaction()
    .execute((trx) => endSessions(trx, deps, session.accountId, { one: session.id }, 'signed-out'));
}

/** Ends the session a cookie names, if it is still live (a sign-out confirmed at the OpenID Provider). */
export async function endSessionOf(deps: ServiceDeps, token: string | undefined): Promise<void> {
  const session = await resolveSession(deps, token);
  if (session) await signOut(deps, session);
}

export async function signOutOne(deps: ServiceDeps, current: ActiveSession, sessionId: string): Promise<void> {
  const count = await deps.db
    .transaction()
    .execute((trx) => endSessions(trx, deps, current.accountId, { one: sessionId }, 'signed-out-by-owner'));
  if (count === 0) throw new DomainError('NOT_FOUND');
}

export async function signOutEverywhere(deps: ServiceDeps, current: ActiveSession): Promise<number> {
  return deps.db
    .transaction()
    .execute((trx) => endSessions(trx, deps, current.accountId, { all: true }, 'signed-out-everywhere'));
}
