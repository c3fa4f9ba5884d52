import { HOUR_MS } from '../../core/clock.ts';
import { normalizeEmail } from '../../core/email-address.ts';
import { findAccountByEmail, lockAccountRow, updateAccount } from '../../store/accounts.ts';
import { countTokensIssuedSince } from '../../store/one-time-tokens.ts';
import type { Executor } from '../../store/database.ts';
import { countPartyLinksSince } from '../../store/incident-parties.ts';
import { findOpenIncidentForAddress, type IncidentRow } from '../../store/incidents.ts';
import { parseSteps } from '../incidents/lifecycle.ts';
import { mailIncidentPage } from '../incidents/parties.ts';
import { ordersAskedToHold } from '../../core/shop/held-orders.ts';
import { irreversibleHoldUntil } from './credentials.ts';
import type { RequestOrigin, ServiceDeps } from '../deps.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { issueLink, LINK_PURPOSES, peekLink, useLink } from '../notices/one-time-links.ts';
import { requireAccount } from './profile.ts';
import { actorFrom } from '../account-log/change-log.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import { endSessions, voidPendingUnderOldPassword } from '../sessions/end-sessions.ts';
import { noteSuccess } from '../sign-in/throttle.ts';
import { forgetImportedPassword } from '../sign-in/imported-password.ts';
import { awaitsFirstPassword, mailFirstPasswordLink } from './first-password.ts';

const RESETS_PER_HOUR = 3;

/**
 * Always answers the same, in the same time: the look-up and the mail happen after the answer, so a
 * known address costs the asker no more than an unknown one. Never locks anything (STANDARDS C5). A
 * known, verified address gets a link, at most three an hour so a mailbox cannot be flooded.
 */
export function requestPasswordReset(deps: ServiceDeps, emailInput: string): void {
  const email = normalizeEmail(emailInput);
  deps.afterAnswer.run(() => sendPasswordReset(deps, email));
}

async function sendPasswordReset(deps: ServiceDeps, email: string): Promise<void> {
  let queued = false;
  await deps.db.transaction().execute(async (trx) => {
    const account = await findAccountByEmail(trx, email);
    const incident = await findOpenIncidentForAddress(trx, email, account?.id);
    if (incident) {
      queued = await remindOwnerOfIncident(trx, deps, incident, email);
      return;
    }
    if (!account || account.status !== 'active') return;
    // Brought by a shop without a password (issue 26): the link to set her first one (or a passkey) instead.
    if (await awaitsFirstPassword(trx, account)) {
      queued = await mailFirstPasswordLink(trx, deps, account);
      return;
    }
    // Requests for one address are answered at once and sent after: lock before counting, or they race.
    await lockAccountRow(trx, account.id);
    const since = new Date(deps.clock.now().getTime() - HOUR_MS).toISOString();
    if ((await countTokensIssuedSince(trx, account.id, 'reset-password', since)) >= RESETS_PER_HOUR) return;
    const link = await issueLink(trx, deps, { accountId: account.id, purpose: 'reset-password' });
    await queueMail(trx, deps, {
      to: account.email,
      locale: account.locale,
      accountId: account.id,
      message: {
        template: 'password-reset',
        model: { link, expiresMinutes: LINK_PURPOSES['reset-password'].ttlMs / 60_000 },
      },
    });
    queued = true;
  });
  if (queued) deps.mailQueued();
}

/**
 * While an incident is open, "forgot password" cannot help and must not help an intruder: the owner's
 * address (the one held at the compromise point) gets a link to the incident page instead, at most
 * three an hour; any other address gets nothing, and the answer on the page is the same.
 */
async function remindOwnerOfIncident(
  trx: Executor,
  deps: ServiceDeps,
  incident: IncidentRow,
  email: string,
): Promise<boolean> {
  if (incident.owner_email !== email) return false;
  await lockAccountRow(trx, incident.account_id);
  const since = new Date(deps.clock.now().getTime() - HOUR_MS).toISOString();
  if ((await countPartyLinksSince(trx, incident.id, email, since)) >= RESETS_PER_HOUR) return false;
  const account = await requireAccount(trx, incident.account_id);
  const steps = parseSteps(incident);
  const undone = steps.filter((step) => step.outcome === 'undone').length;
  const heldOrders = ordersAskedToHold(steps);
  await mailIncidentPage(
    trx,
    deps,
    { id: incident.id, waitUntil: incident.wait_until, undone, heldOrders },
    account,
    email,
  );
  return true;
}

export async function checkResetLink(deps: ServiceDeps, token: unknown): Promise<void> {
  await peekLink(deps, token, 'reset-password');
}

/** Sets the new password, ends every session and signs nobody in (STANDARDS E4). */
export async function completePasswordReset(
  deps: ServiceDeps,
  token: unknown,
  newPassword: string,
  origin: RequestOrigin,
): Promise<void> {
  const row = await peekLink(deps, token, 'reset-password');
  const account = await requireAccount(deps.db, row.account_id);
  // The policy is checked before the link is used, so a refused password does not burn the link.
  deps.strength.assertAcceptable(newPassword, {
    shopName: deps.config.shopName,
    email: account.email,
    name: account.name,
  });
  const passwordHash = await deps.hasher.hash(newPassword);
  await deps.db.transaction().execute(async (trx) => {
    await useLink(trx, deps, token, 'reset-password');
    const now = deps.clock.now().toISOString();
    await updateAccount(trx, account.id, {
      password_hash: passwordHash,
      irreversible_hold_until: irreversibleHoldUntil(deps, deps.clock.now()),
      password_disabled_at: null,
      email_verified_at: account.email_verified_at ?? now,
      password_upgrade: null,
      updated_at: now,
    });
    // A hash a shop brought (issue 26) is forgotten with the password it stood for.
    await forgetImportedPassword(trx, account.id);
    await endSessions(trx, deps, account.id, { all: true }, 'password-reset');
    await voidPendingUnderOldPassword(trx, deps, account.id, null);
    await recordSensitiveChange(trx, deps, account, { kind: 'password-reset', actor: actorFrom(origin) });
    // A new password starts with a clean count (STANDARDS C3).
    await noteSuccess(trx, account.email);
  });
  deps.mailQueued();
}
