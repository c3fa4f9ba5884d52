import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { addMs } from '../../core/clock.ts';
import { DomainError } from '../../core/errors.ts';
import { normalizeEmail } from '../../core/email-address.ts';
import { clearPasswordSuggestion, findAccountById, type AccountRow } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import {
  consumeChallenge,
  findPasskeyByCredentialId,
  insertChallenge,
  insertPasskey,
  listPasskeys,
  notePasskeyUse,
  passkeysHeldAt,
  renamePasskey as renamePasskeyRow,
  type PasskeyRow,
} from '../../store/passkeys.ts';
import { setRemovedAt } from '../../store/profile.ts';
import { actorFrom } from '../account-log/change-log.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { describeDevice } from '../../platform/device.ts';
import { requireAccount } from '../account/profile.ts';
import { assessRisk, recordRiskDecision } from '../risk/assessment.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import { assertPrivileged, type ActiveSession } from '../sessions/sessions.ts';
import { issueRecoveryCodesIfNone } from './totp.ts';
import { finishSignIn } from '../sign-in/finish.ts';
import { completePendingSignIn, pendingAccountId } from '../sign-in/second-step.ts';
import { hashToken } from '../../platform/token-hash.ts';

/**
 * Passkeys (WebAuthn) with SimpleWebAuthn. User verification is required and checked, so a passkey is
 * a phishing-resistant multi-factor authenticator on its own (STANDARDS H1). Attestation is not asked
 * for, and synced passkeys are welcome. Challenges are single use, five minutes, stored hashed.
 */
const CHALLENGE_TTL_MS = 5 * 60_000;
type ChallengePurpose = 'passkey-registration' | 'passkey-sign-in' | 'passkey-second-step' | 'passkey-recovery';

function relyingParty(deps: ServiceDeps): { origin: string; rpID: string } {
  const url = new URL(deps.config.publicUrl);
  return { origin: url.origin, rpID: url.hostname };
}

/** What every answer must match: our challenge, our origin and RP ID, and user verification (STANDARDS H1). */
function expectations(deps: ServiceDeps, challenge: string) {
  const rp = relyingParty(deps);
  return {
    expectedChallenge: challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.rpID,
    requireUserVerification: true,
  };
}

function bytesOf(buffer: Buffer): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(buffer.length);
  bytes.set(buffer);
  return bytes;
}

async function newChallenge(
  db: Executor,
  deps: ServiceDeps,
  purpose: ChallengePurpose,
  accountId: string | null,
): Promise<Uint8Array<ArrayBuffer>> {
  const challenge = deps.random.token();
  const now = deps.clock.now();
  await insertChallenge(db, {
    challenge_hash: hashToken(challenge),
    purpose,
    account_id: accountId,
    created_at: now.toISOString(),
    expires_at: addMs(now, CHALLENGE_TTL_MS).toISOString(),
  });
  return bytesOf(Buffer.from(challenge, 'base64url'));
}

/** The challenge the browser signed, read from clientDataJSON, used up here; the library then checks it matches. */
async function useChallenge(
  deps: ServiceDeps,
  clientDataJSON: string,
  purpose: ChallengePurpose,
): Promise<{ challenge: string; accountId: string | null }> {
  let challenge: unknown;
  try {
    challenge = (JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown })
      .challenge;
  } catch {
    throw new DomainError('PASSKEY_FAILED');
  }
  if (typeof challenge !== 'string' || challenge.length > 100) throw new DomainError('PASSKEY_FAILED');
  const row = await consumeChallenge(deps.db, hashToken(challenge), purpose, deps.clock.now().toISOString());
  if (!row) throw new DomainError('PASSKEY_FAILED');
  return { challenge, accountId: row.account_id };
}

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  synced: boolean;
}

export async function passkeysOf(deps: ServiceDeps, session: ActiveSession): Promise<PasskeyView[]> {
  const rows = await listPasskeys(deps.db, session.accountId);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    synced: row.backed_up === 1,
  }));
}

export async function registrationOptions(
  deps: ServiceDeps,
  session: ActiveSession,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  assertPrivileged(deps, session);
  const account = await requireAccount(deps.db, session.accountId);
  const existing = await listPasskeys(deps.db, account.id);
  const { rpID } = relyingParty(deps);
  return generateRegistrationOptions({
    rpName: deps.config.shopName,
    rpID,
    userName: account.email,
    userDisplayName: account.name || account.email,
    userID: bytesOf(Buffer.from(account.id, 'utf8')),
    challenge: await newChallenge(deps.db, deps, 'passkey-registration', account.id),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({
      id: p.credential_id,
      transports: JSON.parse(p.transports) as string[],
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
}

/** Binds a passkey; returns recovery codes when this is the account's first second factor (shown once). */
export async function registerPasskey(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  response: RegistrationResponseJSON,
  name: string,
): Promise<{ recoveryCodes: string[] | null }> {
  assertPrivileged(deps, session);
  const { challenge, accountId } = await useChallenge(deps, response.response.clientDataJSON, 'passkey-registration');
  if (accountId !== session.accountId) throw new DomainError('PASSKEY_FAILED');
  const verification = await verifyRegistrationResponse({ response, ...expectations(deps, challenge) }).catch(() => ({
    verified: false as const,
  }));
  if (!verification.verified) throw new DomainError('PASSKEY_FAILED');
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  const now = deps.clock.now().toISOString();
  const label = name.trim() || describeDevice(origin.userAgent);
  const recoveryCodes = await deps.db.transaction().execute(async (trx) => {
    const id = deps.random.id();
    await insertPasskey(trx, {
      id,
      account_id: session.accountId,
      credential_id: credential.id,
      public_key: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: JSON.stringify(credential.transports ?? []),
      device_type: credentialDeviceType,
      backed_up: credentialBackedUp ? 1 : 0,
      name: label,
      created_at: now,
      created_ip: origin.ip,
    });
    const codes = await issueRecoveryCodesIfNone(trx, deps, session.accountId);
    // A passkey is the other answer to a short imported password (issue 26).
    await clearPasswordSuggestion(trx, session.accountId);
    const account = await requireAccount(trx, session.accountId);
    await recordSensitiveChange(trx, deps, account, {
      kind: 'second-factor-added',
      actor: actorFrom(origin),
      subjectId: id,
      after: { factor: 'passkey', name: label },
    });
    return codes;
  });
  deps.mailQueued();
  return { recoveryCodes };
}

export async function renamePasskey(
  deps: ServiceDeps,
  session: ActiveSession,
  id: string,
  name: string,
): Promise<void> {
  if ((await renamePasskeyRow(deps.db, session.accountId, id, name.trim())) === 0) throw new DomainError('NOT_FOUND');
}

export async function removePasskey(
  deps: ServiceDeps,
  session: ActiveSession,
  origin: RequestOrigin,
  id: string,
): Promise<void> {
  assertPrivileged(deps, session);
  await deps.db.transaction().execute(async (trx) => {
    const passkey = (await listPasskeys(trx, session.accountId)).find((p) => p.id === id);
    if (!passkey) throw new DomainError('NOT_FOUND');
    await setRemovedAt(trx, 'passkeys', session.accountId, [id], deps.clock.now().toISOString());
    const account = await requireAccount(trx, session.accountId);
    await recordSensitiveChange(trx, deps, account, {
      kind: 'second-factor-removed',
      actor: actorFrom(origin),
      subjectId: id,
      before: { factor: 'passkey', name: passkey.name },
    });
  });
  deps.mailQueued();
}

/**
 * Options for signing in with a passkey. The same answer whoever asks: no allowCredentials, so the
 * browser offers the passkeys it holds for this site, and nothing reveals whether an address exists.
 */
export async function signInOptions(deps: ServiceDeps): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: relyingParty(deps).rpID,
    userVerification: 'required',
    challenge: await newChallenge(deps.db, deps, 'passkey-sign-in', null),
  });
}

/** Options for the second sign-in step: the pending account's own passkeys (its password was right). */
export async function secondStepOptions(
  deps: ServiceDeps,
  accountId: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return optionsFor(deps, await listPasskeys(deps.db, accountId), 'passkey-second-step', accountId);
}

/** Whether the owner held a passkey at the compromise point (one an intruder removed since still counts). */
export async function hasPasskeyHeldAt(deps: ServiceDeps, accountId: string, compromiseAt: string): Promise<boolean> {
  return (await passkeysHeldAt(deps.db, accountId, compromiseAt)).length > 0;
}

/** Options for incident recovery: only the passkeys the owner held at the compromise point; an intruder's never count. */
export async function recoveryOptions(
  deps: ServiceDeps,
  accountId: string,
  compromiseAt: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return optionsFor(deps, await passkeysHeldAt(deps.db, accountId, compromiseAt), 'passkey-recovery', accountId);
}

async function optionsFor(
  deps: ServiceDeps,
  passkeys: PasskeyRow[],
  purpose: ChallengePurpose,
  accountId: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  if (passkeys.length === 0) throw new DomainError('PASSKEY_FAILED');
  return generateAuthenticationOptions({
    rpID: relyingParty(deps).rpID,
    userVerification: 'required',
    allowCredentials: passkeys.map((p) => ({ id: p.credential_id, transports: JSON.parse(p.transports) as never })),
    challenge: await newChallenge(deps.db, deps, purpose, accountId),
  });
}

/**
 * Recovery's proof of the second factor with a passkey the owner held at the compromise point, even one
 * an intruder removed since. The account is locked at this point, which is why this purpose does not ask
 * for an active one. Returns the passkey, which the caller puts back into use with the recovery.
 */
export async function verifyRecoveryPasskey(
  deps: ServiceDeps,
  response: AuthenticationResponseJSON,
  accountId: string,
  compromiseAt: string,
): Promise<PasskeyRow> {
  const held = await passkeysHeldAt(deps.db, accountId, compromiseAt);
  const { passkey } = await verifyPasskeyAssertion(deps, response, 'passkey-recovery', held);
  return passkey;
}

/** The owner's own passkey, proven in recovery, is back in use even if the intruder had removed it. */
export async function reinstatePasskey(trx: Executor, passkey: PasskeyRow): Promise<void> {
  if (passkey.removed_at) await setRemovedAt(trx, 'passkeys', passkey.account_id, [passkey.id], null);
}

/** Checks an assertion against the stored passkey; the account it belongs to, or PASSKEY_FAILED. */
export async function verifyPasskeyAssertion(
  deps: ServiceDeps,
  response: AuthenticationResponseJSON,
  purpose: 'passkey-sign-in' | 'passkey-second-step' | 'passkey-recovery',
  /** Where to look for the credential instead of the passkeys in use now (recovery's held-at list). */
  among?: readonly PasskeyRow[],
  /** A sign-in on a locked account still verifies: the caller may take it as the owner's proof. */
  lockedToo = false,
): Promise<{ account: AccountRow; passkey: PasskeyRow }> {
  const { challenge, accountId } = await useChallenge(deps, response.response.clientDataJSON, purpose);
  const passkey = among
    ? among.find((row) => row.credential_id === response.id)
    : await findPasskeyByCredentialId(deps.db, response.id);
  if (!passkey || (accountId !== null && passkey.account_id !== accountId)) throw new DomainError('PASSKEY_FAILED');
  const result = await verifyAuthenticationResponse({
    response,
    ...expectations(deps, challenge),
    credential: {
      id: passkey.credential_id,
      publicKey: bytesOf(Buffer.from(passkey.public_key, 'base64url')),
      counter: Number(passkey.counter),
      transports: JSON.parse(passkey.transports) as string[],
    },
  }).catch(() => null);
  if (!result?.verified) throw new DomainError('PASSKEY_FAILED');
  await notePasskeyUse(deps.db, passkey.id, result.authenticationInfo.newCounter, deps.clock.now().toISOString());
  const account = await findAccountById(deps.db, passkey.account_id);
  if (!account || (account.status !== 'active' && purpose !== 'passkey-recovery' && !lockedToo))
    throw new DomainError('PASSKEY_FAILED');
  return { account, passkey };
}

/**
 * Signing in with a passkey, with or without a typed address. A passkey with user verification answers
 * any challenge the risk engine would raise; the decision is still scored and logged. It works when the
 * password was switched off after failed attempts: the owner is never kept out by an attacker's guesses.
 */
export async function signInWithPasskey(
  deps: ServiceDeps,
  response: AuthenticationResponseJSON,
  origin: RequestOrigin,
  typedEmail?: string,
) {
  const { account, passkey } = await verifyPasskeyAssertion(deps, response, 'passkey-sign-in', undefined, true);
  if (typedEmail && normalizeEmail(typedEmail) !== account.email) throw new DomainError('PASSKEY_FAILED');
  // Locked by an incident: no session; the route offers the assertion as her proof (incidents/prove.ts).
  if (account.status === 'locked') return { locked: { account, passkey } } as const;
  if (account.status !== 'active') throw new DomainError('PASSKEY_FAILED');
  const assessment = await assessRisk(deps, account, origin, { action: 'sign-in' });
  const started = await deps.db.transaction().execute(async (trx) => {
    await recordRiskDecision(trx, deps, { accountId: account.id, action: 'sign-in-passkey', assessment, origin });
    const risk = assessment.decision === 'allow' ? 'allow' : 'challenge';
    return finishSignIn(trx, deps, account, origin, risk, passkey.backed_up ? 'synced-passkey' : 'passkey');
  });
  if (started.noticeQueued) deps.mailQueued();
  return { token: started.token, session: started.session, locked: null };
}

/**
 * The second sign-in step answered with one of the pending account's passkeys. The assertion is checked
 * before the sign-in's transaction opens: SQLite has one connection, and the check reads and writes.
 */
export async function completeSecondStepWithPasskey(
  deps: ServiceDeps,
  pendingToken: string | undefined,
  response: AuthenticationResponseJSON,
  origin: RequestOrigin,
) {
  const pendingAccount = await pendingAccountId(deps, pendingToken);
  const { account: owner, passkey } = await verifyPasskeyAssertion(deps, response, 'passkey-second-step');
  if (owner.id !== pendingAccount) throw new DomainError('PASSKEY_FAILED');
  return completePendingSignIn(deps, pendingToken, origin, async (_trx, account, pending) => {
    if (pending.method !== 'second-factor' || account.id !== owner.id) throw new DomainError('PASSKEY_FAILED');
    return passkey.backed_up ? 'password+synced-passkey' : 'password+passkey';
  });
}
