import type { Executor } from '../../store/database.ts';
import type { ImportedHashFormat } from '../../platform/legacy-hashes/index.ts';
import type { ImportRow } from './import-row.ts';

const PAGE = 500;

/**
 * `mamori export accounts`: every active account in the import row shape, so a shop is never locked in.
 * Passwords go out as Mamori's argon2id PHC strings (format argon2id); one still waiting for its first
 * sign-in goes out as it came in. The shop's own id is used when it gave one, Mamori's id otherwise.
 */
export async function* exportAccounts(db: Executor, clientId: string | null): AsyncGenerator<ImportRow> {
  let after = '';
  for (;;) {
    const accounts = await db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '>', after)
      .where('status', '=', 'active')
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (accounts.length === 0) return;
    after = (accounts.at(-1) as (typeof accounts)[number]).id;
    const ids = accounts.map((a) => a.id);
    const [addresses, cards, shopIds, imported] = await Promise.all([
      db.selectFrom('addresses').selectAll().where('account_id', 'in', ids).where('removed_at', 'is', null).execute(),
      db
        .selectFrom('payment_methods')
        .selectAll()
        .where('account_id', 'in', ids)
        .where('removed_at', 'is', null)
        .execute(),
      clientId
        ? db
            .selectFrom('imported_customer_ids')
            .selectAll()
            .where('account_id', 'in', ids)
            .where('client_id', '=', clientId)
            .execute()
        : Promise.resolve([]),
      db.selectFrom('imported_passwords').selectAll().where('account_id', 'in', ids).execute(),
    ]);
    for (const a of accounts) {
      const old = imported.find((p) => p.account_id === a.id);
      const password = a.password_hash
        ? { format: 'argon2id' as const, hash: a.password_hash }
        : old?.format && old.hash
          ? { format: old.format as ImportedHashFormat, hash: old.hash, ...(old.salt ? { salt: old.salt } : {}) }
          : null;
      yield {
        shopCustomerId: shopIds.find((s) => s.account_id === a.id)?.shop_customer_id ?? a.id,
        email: a.email,
        emailVerified: a.email_verified_at !== null,
        name: a.name,
        locale: a.locale === 'ja' ? 'ja' : 'en',
        phone: a.phone,
        addresses: addresses
          .filter((r) => r.account_id === a.id)
          .map((r) => ({
            recipient: r.recipient,
            postalCode: r.postal_code,
            region: r.region,
            city: r.city,
            line1: r.line1,
            line2: r.line2,
            country: r.country,
          })),
        paymentMethods: cards
          .filter((r) => r.account_id === a.id)
          .map((r) => ({
            processorToken: r.processor_token,
            brand: r.brand as ImportRow['paymentMethods'][number]['brand'],
            last4: r.last4,
            expMonth: r.exp_month,
            expYear: r.exp_year,
          })),
        createdAt: a.created_at,
        password,
      };
    }
  }
}
