import type { ChangeActor } from '../../core/change-kinds.ts';
import { announcesShopChange, placeKey, shopChangeEntry, type ShopChange } from '../../core/shop/shop-changes.ts';
import { describeArea, describeDevice } from '../../platform/device.ts';
import { findLogEntryForSubject, listChangesOfKinds, toChangeRecord } from '../../store/account-log.ts';
import type { Executor } from '../../store/database.ts';
import { deviceStanding } from '../../store/devices.ts';
import { listOidcPayloadsOfAccount } from '../../store/oidc-payloads.ts';
import { sessionIdOfOidcSession } from '../../store/oidc-session-links.ts';
import { listSaved } from '../../store/profile.ts';
import { findSessionById, type SessionRow } from '../../store/sessions.ts';
import { recordChange } from '../account-log/change-log.ts';
import type { ServiceDeps } from '../deps.ts';
import { recordSensitiveChange } from '../notices/security-notice.ts';
import { customerOfShop } from '../oidc/shop-customers.ts';

/** The customer's request at the shop, as the shop saw it; `sid` is the ID token's, naming the sign-in. */
export interface ShopCustomerOrigin {
  ip: string;
  userAgent: string;
  sid?: string;
}

export interface ReportedShopChange {
  changeId: string;
  /** The same change reported again: nothing new was written. */
  repeated: boolean;
  /** The owner was told, with "This wasn't me". */
  announced: boolean;
}

interface ProviderSession {
  authorizations?: Record<string, { sid?: string }>;
}

/** The Mamori session behind a shop sign-in: the provider session that gave this shop that `sid`. */
async function sessionBehindSid(
  trx: Executor,
  accountId: string,
  clientId: string,
  sid: string | undefined,
): Promise<SessionRow | null> {
  if (!sid) return null;
  const sessions = await listOidcPayloadsOfAccount(trx, accountId, ['Session']);
  const provider = sessions.find(
    (row) => (JSON.parse(row.payload) as ProviderSession).authorizations?.[clientId]?.sid === sid,
  );
  const sessionId = provider?.uid ? await sessionIdOfOidcSession(trx, provider.uid) : null;
  const session = sessionId ? await findSessionById(trx, sessionId) : undefined;
  return session && session.account_id === accountId ? session : null;
}

/** Has the account ever used this place: saved at Mamori, or shipped to or saved at a shop? */
async function placeIsNew(trx: Executor, accountId: string, key: string): Promise<boolean> {
  const saved = await listSaved(trx, 'addresses', accountId);
  if (saved.some((a) => placeKey([a.line1, a.line2, a.city, a.region, a.postal_code, a.country]) === key)) return false;
  const used = await listChangesOfKinds(trx, accountId, ['shop-order-placed', 'shop-address-saved']);
  return !used.some((row) => toChangeRecord(row).after?.ship_to_key === key);
}

/**
 * POST /api/v1/accounts/{sub}/shop-changes: what a customer did at the shop joins the account log, with
 * the sign-in that did it (so an intruder's orders fall into the undo plan) and, where the notice rules
 * say so, a notice to the owner. A shop that reports the same item twice (a retry) gets the first entry.
 */
export async function reportShopChange(
  deps: ServiceDeps,
  clientId: string,
  sub: string,
  change: ShopChange,
  customer: ShopCustomerOrigin,
): Promise<ReportedShopChange> {
  const reported = await deps.db.transaction().execute(async (trx): Promise<ReportedShopChange> => {
    const { account, client } = await customerOfShop(trx, clientId, sub);
    const entry = shopChangeEntry(change, { clientId, name: client.name });
    const earlier = await findLogEntryForSubject(trx, sub, entry.kind, entry.subjectId);
    if (earlier) return { changeId: earlier.id, repeated: true, announced: false };

    const session = await sessionBehindSid(trx, sub, clientId, customer.sid);
    const actor: ChangeActor = {
      type: 'customer',
      sessionId: session?.id ?? null,
      deviceId: session?.device_id ?? null,
      device: describeDevice(customer.userAgent),
      ip: customer.ip,
      area: describeArea(customer.ip, deps.geo.locate(customer.ip)?.country ?? null),
    };
    // New: first seen at this very sign-in, and not the browser the account was opened with. A sign-in
    // Mamori cannot name is treated as new: the owner hears of it rather than not.
    const device = session ? await deviceStanding(trx, sub, session.device_id) : null;
    const browserIsNew =
      !session || !device?.firstSeenAt || (device.firstSeenAt >= session.created_at && !device.isFirst);
    const key = entry.after.ship_to_key;
    const newPlace = typeof key === 'string' ? await placeIsNew(trx, sub, key) : false;
    const logged = { kind: entry.kind, actor, subjectId: entry.subjectId, after: entry.after };
    if (announcesShopChange(change.type, { placeIsNew: newPlace, browserIsNew })) {
      const record = await recordSensitiveChange(trx, deps, account, logged, { fromShop: true });
      return { changeId: record.id, repeated: false, announced: true };
    }
    const record = await recordChange(trx, deps, { accountId: sub, ...logged });
    return { changeId: record.id, repeated: false, announced: false };
  });
  if (reported.announced) deps.mailQueued();
  return reported;
}
