import { DomainError } from '../../core/errors.ts';
import { couldBeIssuedId } from '../../core/oidc/lookup-keys.ts';
import { findAccountById, type AccountRow } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { findOidcClient, type OidcClientRow } from '../../store/oidc-clients.ts';
import { findShopCustomer } from '../../store/shop-customers.ts';

/**
 * The account a shop asks about or reports on, if it may: the store's own shops (first party) any
 * account; another shop only an account that signed in to it (a grant exists or existed: kept in
 * `shop_customers`, which outlives the grants a containment deletes). An account it may not see is as
 * unknown as one that does not exist.
 */
export async function customerOfShop(
  db: Executor,
  clientId: string,
  sub: string,
): Promise<{ account: AccountRow; client: OidcClientRow }> {
  if (!couldBeIssuedId(sub)) throw new DomainError('NOT_FOUND');
  const [account, client, customer] = await Promise.all([
    findAccountById(db, sub),
    findOidcClient(db, clientId),
    findShopCustomer(db, clientId, sub),
  ]);
  if (!account || !client) throw new DomainError('NOT_FOUND');
  if (client.first_party !== 1 && !customer) throw new DomainError('NOT_FOUND');
  return { account, client };
}
