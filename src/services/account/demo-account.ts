import { findAccountByEmail, insertAccount } from '../../store/accounts.ts';
import { insertAddress, insertPaymentMethod, insertSubscription } from '../../store/profile.ts';
import type { ServiceDeps } from '../deps.ts';

export const DEMO_EMAIL = 'demo@example.com';

/** Creates the demo customer of the embedded default, with the profile the attacker in the story touches. */
export async function ensureDemoAccount(deps: ServiceDeps, password: string): Promise<'created' | 'exists'> {
  if (await findAccountByEmail(deps.db, DEMO_EMAIL)) return 'exists';
  const passwordHash = await deps.hasher.hash(password);
  const now = deps.clock.now().toISOString();
  const accountId = deps.random.id();
  await deps.db.transaction().execute(async (trx) => {
    await insertAccount(trx, {
      id: accountId,
      email: DEMO_EMAIL,
      email_verified_at: now,
      password_hash: passwordHash,
      name: '山田 太郎',
      phone: '+81 90-1234-5678',
      locale: deps.config.defaultLocale,
      status: 'active',
      created_at: now,
      updated_at: now,
    });
    await insertAddress(trx, {
      id: deps.random.id(),
      account_id: accountId,
      recipient: '山田 太郎',
      postal_code: '150-0001',
      region: '東京都',
      city: '渋谷区',
      line1: '神宮前 1-2-3',
      line2: null,
      country: 'JP',
      created_at: now,
    });
    await insertPaymentMethod(trx, {
      id: deps.random.id(),
      account_id: accountId,
      processor_token: 'tok_demo_visa_4242',
      brand: 'visa',
      last4: '4242',
      exp_month: 12,
      exp_year: deps.clock.now().getUTCFullYear() + 3,
      created_at: now,
    });
    await insertSubscription(trx, {
      id: deps.random.id(),
      account_id: accountId,
      plan: 'Coffee beans 500 g',
      interval: 'monthly',
      status: 'active',
      created_at: now,
      updated_at: now,
    });
  });
  return 'created';
}
