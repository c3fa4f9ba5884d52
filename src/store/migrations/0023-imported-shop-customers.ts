import { sql, type Kysely } from 'kysely';

/**
 * An account a shop's import created is that shop's customer from the start (issue 26 with issue 24's
 * audience rule): the shop hears of her security events and may report on her before her first sign-in
 * through Mamori, and, since the address came from the shop, it is told the old and new address when
 * it changes. The imports so far are reconciled from each account's first, "imported", log entry. An
 * import that only added the shop's id to an account already in Mamori adds no customer: a shop may put
 * any address in its file.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`INSERT INTO shop_customers (client_id, account_id, email_granted, first_signed_in_at)
    SELECT subject_id, account_id, 1, occurred_at FROM account_log
    WHERE kind = 'imported' AND seq = 1 AND subject_id IS NOT NULL
    ON CONFLICT (client_id, account_id) DO UPDATE SET email_granted = 1`.execute(db);
}
