import { sql, type Kysely } from 'kysely';

/**
 * Which accounts signed in to which shop (issue 24): a partner shop hears only of those. Grants are
 * deleted when an account is contained, so the fact that one existed is kept here, written with the
 * grant, together with whether the customer ever granted that shop the `email` scope. A receiver may
 * take one of its subjects out of its stream (SSF 1.0 §8.1.3.3) and put it back; what it took out is
 * `ssf_removed_subjects`, and goes with the stream.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('shop_customers')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('email_granted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_signed_in_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('shop_customers_pk', ['client_id', 'account_id'])
    .execute();
  await db.schema
    .createTable('ssf_removed_subjects')
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ssf_removed_subjects_pk', ['stream_id', 'account_id'])
    .execute();
  // The grants that exist now are the shops' customers so far (the ones containments deleted are lost).
  const grants = await sql<{ client_id: string; account_id: string; payload: string }>`
    SELECT client_id, account_id, payload FROM oidc_payloads
    WHERE kind = 'Grant' AND client_id IS NOT NULL AND account_id IS NOT NULL`.execute(db);
  const now = new Date(0).toISOString();
  for (const grant of grants.rows) {
    const granted = grantsEmail(grant.payload) ? 1 : 0;
    await sql`INSERT INTO shop_customers (client_id, account_id, email_granted, first_signed_in_at)
      VALUES (${grant.client_id}, ${grant.account_id}, ${granted}, ${now})
      ON CONFLICT (client_id, account_id) DO UPDATE SET email_granted =
        CASE WHEN shop_customers.email_granted > excluded.email_granted
          THEN shop_customers.email_granted ELSE excluded.email_granted END`.execute(db);
  }
}

function grantsEmail(payload: string): boolean {
  const openid = (JSON.parse(payload) as { openid?: { scope?: string; claims?: string[] } }).openid;
  return Boolean(openid?.scope?.split(' ').includes('email') || openid?.claims?.includes('email'));
}
