import { DomainError } from '../../core/errors.ts';
import { couldBeIssuedId } from '../../core/oidc/lookup-keys.ts';
import { findAccountById, type AccountRow } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { findOidcClient, type OidcClientRow } from '../../store/oidc-clients.ts';
import { listOidcPayloadsOfAccount } from '../../store/oidc-payloads.ts';

/**
 * The account a shop asks about or reports on, if it may: the store's own shops (first party) any
 * account; another shop only an account that signed in to it. An account it may not see is as unknown as
 * one that does not exist.
 */
export async function customerOfShop(
  db: Executor,
  clientId: string,
  sub: string,
): Promise<{ account: AccountRow; client: OidcClientRow }> {
  if (!couldBeIssuedId(sub)) throw new DomainError('NOT_FOUND');
  const [account, client] = await Promise.all([findAccountById(db, sub), findOidcClient(db, clientId)]);
  if (!account || !client) throw new DomainError('NOT_FOUND');
  if (client.first_party !== 1) {
    const grants = await listOidcPayloadsOfAccount(db, sub, ['Grant']);
    if (!grants.some((grant) => grant.client_id === clientId)) throw new DomainError('NOT_FOUND');
  }
  return { account, client };
}
