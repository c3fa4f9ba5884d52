import { addMs, DAY_MS, HOUR_MS } from '../../core/clock.ts';
import { DomainError } from '../../core/errors.ts';
import type { Executor } from '../../store/database.ts';
import {
  consumeToken,
  findUsableToken,
  insertOneTimeToken,
  voidTokens,
  type OneTimeTokenRow,
} from '../../store/one-time-tokens.ts';
import type { ServiceDeps } from '../deps.ts';
import { sessionStillLive } from '../sessions/sessions.ts';
import { hashToken, looksLikeToken } from '../../platform/token-hash.ts';

/** Each purpose has its own lifetime and its own page; a token of one purpose is useless for another. */
export const LINK_PURPOSES = {
  'verify-email': { ttlMs: DAY_MS, path: '/verify-email' },
  'reset-password': { ttlMs: HOUR_MS, path: '/reset-password' },
  'confirm-email-change': { ttlMs: DAY_MS, path: '/confirm-email' },
  'report-change': { ttlMs: 7 * DAY_MS, path: '/report' },
  'object-incident': { ttlMs: 7 * DAY_MS, path: '/object' },
  'incident-recovery': { ttlMs: DAY_MS, path: '/recover' },
  // Issued with the hold's own lifetime (the configured delay): the link works until the change applies.
  'cancel-held-change': { ttlMs: DAY_MS, path: '/held/cancel' },
  // In the sign-in code mail: someone has the password; one button ends every session and asks for a new one.
  'secure-account': { ttlMs: DAY_MS, path: '/secure-account' },
  // A customer a shop brought without a password sets her first one (or a passkey) from her mailbox.
  'first-password': { ttlMs: HOUR_MS, path: '/first-password/set' },
} as const;

export type LinkPurpose = keyof typeof LINK_PURPOSES;

/** Issues a link, voiding older unused links of the same purpose for the account. Returns the URL. */
export async function issueLink(
  trx: Executor,
  deps: ServiceDeps,
  input: {
    accountId: string;
    purpose: LinkPurpose;
    payload?: Record<string, string>;
    keepOthers?: boolean;
    ttlMs?: number;
    /** The address the link is mailed to. */
    recipient?: string;
    /** The session that asked for it: the link dies with that session. */
    sessionId?: string | null;
  },
): Promise<string> {
  const now = deps.clock.now();
  const token = deps.random.token();
  // Each notice's report link stays valid on its own; every other purpose has one live link at a time.
  if (!input.keepOthers) await voidTokens(trx, input.accountId, [input.purpose], now.toISOString());
  await insertOneTimeToken(trx, {
    id: deps.random.id(),
    token_hash: hashToken(token),
    purpose: input.purpose,
    account_id: input.accountId,
    payload: input.payload ? JSON.stringify(input.payload) : null,
    created_at: now.toISOString(),
    expires_at: addMs(now, input.ttlMs ?? LINK_PURPOSES[input.purpose].ttlMs).toISOString(),
    recipient: input.recipient ?? null,
    session_id: input.sessionId ?? null,
  });
  return `${deps.config.publicUrl}${LINK_PURPOSES[input.purpose].path}?token=${token}`;
}

/** For GET pages: is this link still good? Changes nothing. Unknown, used and expired look the same. */
export async function peekLink(deps: ServiceDeps, token: unknown, purpose: LinkPurpose): Promise<OneTimeTokenRow> {
  if (!looksLikeToken(token)) throw new DomainError('TOKEN_INVALID');
  const row = await findUsableToken(deps.db, hashToken(token), purpose, deps.clock.now().toISOString());
  if (!row || !(await askerStillLive(deps.db, deps, row))) throw new DomainError('TOKEN_INVALID');
  return row;
}

/** Uses the link exactly once, inside the caller's transaction. */
export async function useLink(
  trx: Executor,
  deps: ServiceDeps,
  token: unknown,
  purpose: LinkPurpose,
): Promise<OneTimeTokenRow> {
  if (!looksLikeToken(token)) throw new DomainError('TOKEN_INVALID');
  const row = await consumeToken(trx, hashToken(token), purpose, deps.clock.now().toISOString());
  if (!row || !(await askerStillLive(trx, deps, row))) throw new DomainError('TOKEN_INVALID');
  return row;
}

/**
 * A link a session asked for lives no longer than that session: signed out, ended by the owner, ended
 * by a password change or a containment, or run out. Checked where every link is read, so no caller can
 * forget it and a GET page never offers what its POST would refuse.
 */
async function askerStillLive(db: Executor, deps: ServiceDeps, row: OneTimeTokenRow): Promise<boolean> {
  return row.session_id === null || sessionStillLive(db, deps, row.session_id);
}

export function linkPayload(row: OneTimeTokenRow): Record<string, string> {
  return row.payload ? (JSON.parse(row.payload) as Record<string, string>) : {};
}
