import type { Insertable, Selectable } from 'kysely';
import { compiledOnce } from './compiled-query.ts';
import type { Executor } from './database.ts';
import type { OidcClientsTable } from './schema.ts';

export type OidcClientRow = Selectable<OidcClientsTable>;

export async function insertOidcClient(db: Executor, row: Insertable<OidcClientsTable>): Promise<void> {
  await db.insertInto('oidc_clients').values(row).execute();
}

const clientById = compiledOnce((db: Executor, clientId: string) =>
  db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId),
);

/** Every token request authenticates its client, so the query is compiled once. */
export async function findOidcClient(db: Executor, clientId: string): Promise<OidcClientRow | undefined> {
  return (await clientById(db, clientId))[0];
}

const clientWithBudget = compiledOnce((db: Executor, clientId: string, clientKey: string, ipKey: string, now: string) =>
  db
    .selectFrom('oidc_clients')
    .leftJoin('rate_limits as by_client', (join) =>
      join.on('by_client.key', '=', clientKey).on('by_client.expires_at', '>', now),
    )
    .leftJoin('rate_limits as by_ip', (join) => join.on('by_ip.key', '=', ipKey).on('by_ip.expires_at', '>', now))
    .selectAll('oidc_clients')
    .select([
      'by_client.hits as client_hits',
      'by_client.expires_at as client_window_ends',
      'by_ip.hits as ip_hits',
      'by_ip.expires_at as ip_window_ends',
    ])
    .where('oidc_clients.client_id', '=', clientId),
);

export type LiveHits = { key: string; hits: number; expiresAt: string };

/**
 * The client, and the failure counts of the two keys its authentication is judged by (its id, the
 * caller's address) in windows still live at `now`, in one statement: every token request reads both.
 */
export async function findOidcClientWithBudget(
  db: Executor,
  clientId: string,
  keys: { client: string; ip: string },
  now: string,
): Promise<{ row: OidcClientRow; live: LiveHits[] } | undefined> {
  const [found] = await clientWithBudget(db, clientId, keys.client, keys.ip, now);
  if (!found) return undefined;
  const { client_hits, client_window_ends, ip_hits, ip_window_ends } = found;
  const live: LiveHits[] = [];
  if (client_hits !== null && client_window_ends !== null)
    live.push({ key: keys.client, hits: Number(client_hits), expiresAt: client_window_ends });
  if (ip_hits !== null && ip_window_ends !== null)
    live.push({ key: keys.ip, hits: Number(ip_hits), expiresAt: ip_window_ends });
  // The row as read, the four count columns left on it (nothing reads them from the row): an object rest
  // would copy the whole row again on every token request.
  return { row: found, live };
}

export function findOidcClientByName(db: Executor, name: string): Promise<OidcClientRow | undefined> {
  return db.selectFrom('oidc_clients').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listOidcClients(db: Executor): Promise<OidcClientRow[]> {
  return db.selectFrom('oidc_clients').selectAll().orderBy('created_at').orderBy('client_id').execute();
}

/** The clients that are told when an account's sessions end. */
export function listOidcClientsWithBackchannel(db: Executor, clientIds: readonly string[]): Promise<OidcClientRow[]> {
  if (clientIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('oidc_clients')
    .selectAll()
    .where('client_id', 'in', clientIds)
    .where('backchannel_logout_uri', 'is not', null)
    .execute();
}

export async function deleteOidcClient(db: Executor, clientId: string): Promise<boolean> {
  const result = await db.deleteFrom('oidc_clients').where('client_id', '=', clientId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function replaceOidcClientSecret(
  db: Executor,
  clientId: string,
  from: string,
  to: string,
  at: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('oidc_clients')
    .set(at ? { secret_sealed: to, secret_rotated_at: at } : { secret_sealed: to })
    .where('client_id', '=', clientId)
    .where('secret_sealed', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export type ClientBrandingRow = Pick<OidcClientRow, 'logo_uri' | 'support_email' | 'support_url'>;

export async function updateOidcClientBranding(
  db: Executor,
  clientId: string,
  branding: Partial<ClientBrandingRow>,
): Promise<boolean> {
  const result = await db
    .updateTable('oidc_clients')
    .set(branding)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Sealed secrets a page at a time, for `mamori keys rotate`. */
export function oidcClientSecretsAfter(db: Executor, afterId: string, limit: number) {
  return db
    .selectFrom('oidc_clients')
    .select(['client_id as id', 'secret_sealed as secret'])
    .where('client_id', '>', afterId)
    .orderBy('client_id')
    .limit(limit)
    .execute();
}
