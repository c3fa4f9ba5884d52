import {
  addressesHeldSince,
  ownerAddresses,
  REPLACED_ADDRESS_GRACE_MS,
  addressHeldAt,
  type AddressHistory,
  type ReporterStanding,
  type Standing,
} from '../../core/incident/standing.ts';
import { DomainError } from '../../core/errors.ts';
import type { OrderSummary } from '../../core/shop/held-orders.ts';
import type { MailMessage } from '../../core/mail-messages.ts';
import { listChangesOfKindSince, toChangeRecord } from '../../store/account-log.ts';
import type { Executor } from '../../store/database.ts';
import { findIncident, type IncidentRow } from '../../store/incidents.ts';
import { findPartyByStatusToken, insertIncidentParty, type IncidentPartyRow } from '../../store/incident-parties.ts';
import type { ServiceDeps } from '../deps.ts';
import { queueMail } from '../notices/mail-queue.ts';
import { hashToken, looksLikeToken } from '../../platform/token-hash.ts';

/** The account's address changes from `since` on, read from its log. */
export async function addressHistory(
  db: Executor,
  accountId: string,
  currentEmail: string,
  since: string,
): Promise<AddressHistory> {
  const rows = await listChangesOfKindSince(db, accountId, 'email-changed', since);
  const changes = rows.flatMap((row) => {
    const change = toChangeRecord(row);
    const before = change.before?.email;
    const after = change.after?.email;
    return typeof before === 'string' && typeof after === 'string' ? [{ at: change.occurredAt, before, after }] : [];
  });
  return { current: currentEmail, changes };
}

export interface IncidentAddresses {
  /** Where recovery goes: the address the account held at the compromise point. */
  ownerEmail: string;
  /** The owner's addresses: held at the compromise point, or replaced in the week before it. */
  owners: Set<string>;
  /** Everyone to tell: every address held since the compromise point or in the last 7 days. */
  everyone: Set<string>;
}

export async function incidentAddresses(
  db: Executor,
  accountId: string,
  currentEmail: string,
  compromiseAt: string,
  now: Date,
): Promise<IncidentAddresses> {
  const weekAgo = new Date(now.getTime() - REPLACED_ADDRESS_GRACE_MS).toISOString();
  const graceBeforeCompromise = new Date(Date.parse(compromiseAt) - REPLACED_ADDRESS_GRACE_MS).toISOString();
  const since = weekAgo < graceBeforeCompromise ? weekAgo : graceBeforeCompromise;
  const history = await addressHistory(db, accountId, currentEmail, since);
  const everyone = addressesHeldSince(history, compromiseAt < weekAgo ? compromiseAt : weekAgo);
  return { ownerEmail: addressHeldAt(history, compromiseAt), owners: ownerAddresses(history, compromiseAt), everyone };
}

/** Gives one party its own link to the incident page; the page shows what that party's standing allows. */
export async function issuePartyLink(
  trx: Executor,
  deps: ServiceDeps,
  incidentId: string,
  address: string | null,
  standing: Standing,
): Promise<string> {
  const token = deps.random.token();
  await insertIncidentParty(trx, {
    id: deps.random.id(),
    incident_id: incidentId,
    address,
    standing,
    status_token_hash: hashToken(token),
    claimed_at: null,
    created_at: deps.clock.now().toISOString(),
  });
  return token;
}

/** Mails an owner address a message carrying that address's own link to the incident page. */
export async function mailOwnerWithStatusLink(
  trx: Executor,
  deps: ServiceDeps,
  incidentId: string,
  account: { id: string; locale: string },
  to: string,
  message: (statusLink: string) => MailMessage,
): Promise<void> {
  const statusLink = statusLinkFor(deps, await issuePartyLink(trx, deps, incidentId, to, 'owner'));
  await queueMail(trx, deps, { to, locale: account.locale, accountId: account.id, message: message(statusLink) });
}

/** Mails an owner address its own way to the incident page: what was undone, and when recovery opens (null: a person decides). */
export async function mailIncidentPage(
  trx: Executor,
  deps: ServiceDeps,
  incident: { id: string; waitUntil: string | null; undone: number; heldOrders: OrderSummary[] },
  account: { id: string; locale: string },
  to: string,
): Promise<void> {
  await mailOwnerWithStatusLink(trx, deps, incident.id, account, to, (statusLink) => ({
    template: 'incident-contained',
    model: { statusLink, waitUntil: incident.waitUntil, undone: incident.undone, heldOrders: incident.heldOrders },
  }));
}

export function statusLinkFor(deps: ServiceDeps, token: string): string {
  return `${deps.config.publicUrl}/incident?token=${token}`;
}

export interface PartyAccess {
  party: IncidentPartyRow;
  incident: IncidentRow;
}

/** Who is looking at the incident page, by the link they hold. Unknown links look like expired ones. */
export async function partyForStatusToken(db: Executor, token: unknown): Promise<PartyAccess> {
  if (!looksLikeToken(token)) throw new DomainError('TOKEN_INVALID');
  const party = await findPartyByStatusToken(db, hashToken(token));
  const incident = party ? await findIncident(db, party.incident_id) : undefined;
  if (!party || !incident) throw new DomainError('TOKEN_INVALID');
  return { party, incident };
}

export function reporterOf(incident: IncidentRow): ReporterStanding | null {
  return incident.reported_by ? (JSON.parse(incident.reported_by) as ReporterStanding) : null;
}
