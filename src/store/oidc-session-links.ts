import { compiledOnce } from './compiled-query.ts';
import type { AtOnce, Executor } from './database.ts';

// Every sign-in to a shop links its provider session: compiled once.
const upsertLink = compiledOnce((db: Executor, uid: string, sessionId: string, accountId: string, at: string) =>
  db
    .insertInto('oidc_session_links')
    .values({ oidc_session_uid: uid, session_id: sessionId, account_id: accountId, linked_at: at })
    .onConflict((oc) =>
      oc.column('oidc_session_uid').doUpdateSet({ session_id: sessionId, account_id: accountId, linked_at: at }),
    ),
);

export type OidcSessionLink = { oidcSessionUid: string; sessionId: string; accountId: string; at: string };

/** Records (or moves) the provider session onto the Mamori session it now rides on. */
export async function linkOidcSession(db: Executor, link: OidcSessionLink): Promise<void> {
  await upsertLink(db, link.oidcSessionUid, link.sessionId, link.accountId, link.at);
}

/** The same, inside sqliteAtOnce's work. */
export function linkOidcSessionNow(atOnce: AtOnce, link: OidcSessionLink): void {
  upsertLink.now(atOnce, link.oidcSessionUid, link.sessionId, link.accountId, link.at);
}

export async function oidcSessionUidsOf(db: Executor, sessionIds: readonly string[]): Promise<string[]> {
  if (sessionIds.length === 0) return [];
  const rows = await db
    .selectFrom('oidc_session_links')
    .select('oidc_session_uid')
    .where('session_id', 'in', sessionIds)
    .execute();
  return rows.map((r) => r.oidc_session_uid);
}

export async function unlinkOidcSessions(
  db: Executor,
  where: { accountId: string } | { uids: string[] },
): Promise<void> {
  if ('uids' in where) {
    if (where.uids.length === 0) return;
    await db.deleteFrom('oidc_session_links').where('oidc_session_uid', 'in', where.uids).execute();
    return;
  }
  await db.deleteFrom('oidc_session_links').where('account_id', '=', where.accountId).execute();
}

/** The Mamori session a provider session rides on, if it still does. */
export async function sessionIdOfOidcSession(db: Executor, uid: string): Promise<string | null> {
  const row = await db
    .selectFrom('oidc_session_links')
    .select('session_id')
    .where('oidc_session_uid', '=', uid)
    .executeTakeFirst();
  return row?.session_id ?? null;
}
