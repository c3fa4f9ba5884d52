import { readFileSync } from 'node:fs';
import type { LegacyKeys } from '../../src/platform/legacy-hashes/index.ts';

interface Fixture {
  format: string;
  hash: string;
  salt?: string;
  authMagic?: string;
  checks: { password: string; verifies: boolean }[];
}
interface FixtureFile {
  fixtures: Fixture[];
  keys?: LegacyKeys['firebase'];
}

const read = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/legacy-hashes/${name}.json`, import.meta.url), 'utf8')) as FixtureFile;

/** One customer per fixture made by the real software, with the password that verifies and one that does not. */
export interface LegacyCustomer {
  shopCustomerId: string;
  email: string;
  format: string;
  hash: string;
  salt?: string;
  password: string;
  wrongPassword: string;
}

export function legacyCustomers(): { customers: LegacyCustomer[]; keys: LegacyKeys } {
  const files = [read('php'), read('python'), read('firebase')];
  const keys: LegacyKeys = {};
  const customers: LegacyCustomer[] = [];
  for (const file of files) {
    if (file.keys) keys.firebase = file.keys;
    for (const fixture of file.fixtures) {
      if (fixture.authMagic) keys.eccubeAuthMagic = fixture.authMagic;
      const right = fixture.checks.find((c) => c.verifies);
      const wrong = fixture.checks.find((c) => !c.verifies);
      if (!right || !wrong) continue;
      const n = customers.length + 1;
      customers.push({
        shopCustomerId: `C${1000 + n}`,
        email: `customer${n}.${fixture.format}@example.com`,
        format: fixture.format,
        hash: fixture.hash,
        ...(fixture.salt === undefined ? {} : { salt: fixture.salt }),
        password: right.password,
        wrongPassword: wrong.password,
      });
    }
  }
  return { customers, keys };
}

/** The import row for a fixture customer, as a shop's export would carry it. */
export function importRowFor(c: LegacyCustomer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    shopCustomerId: c.shopCustomerId,
    email: c.email,
    emailVerified: true,
    name: 'Hana Sato',
    password: { format: c.format, hash: c.hash, ...(c.salt === undefined ? {} : { salt: c.salt }) },
    ...extra,
  };
}

/**
 * WooCommerce customers (fixtures/legacy-hashes/woocommerce.json, made by WordPress's class-phpass.php):
 * an old 8-character password below the policy, one on every common-password list, and another short one.
 */
export function woocommerceCustomers(): { short: LegacyCustomer; common: LegacyCustomer; another: LegacyCustomer } {
  const [short, common, another] = read('woocommerce').fixtures.map((fixture, i): LegacyCustomer => {
    const right = fixture.checks.find((c) => c.verifies);
    const wrong = fixture.checks.find((c) => !c.verifies);
    if (!right || !wrong) throw new Error('woocommerce.json: each fixture needs a right and a wrong password');
    return {
      shopCustomerId: `wc-${1042 + i}`,
      email: ['hana@example.com', 'ken@example.com', 'yui@example.com'][i] ?? `c${i}@example.com`,
      format: fixture.format,
      hash: fixture.hash,
      password: right.password,
      wrongPassword: wrong.password,
    };
  });
  if (!short || !common || !another) throw new Error('woocommerce.json: three customers expected');
  return { short, common, another };
}

/**
 * A large mixed file made in memory: the fixtures' customers (every format) repeated with distinct shop
 * ids and addresses, every 10th without a password and every 7th with an address and a saved card.
 */
export function mixedImportRows(count: number, customers: readonly LegacyCustomer[]): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const c = customers[i % customers.length] as LegacyCustomer;
    const row = importRowFor(
      { ...c, shopCustomerId: `M${i}`, email: `m${i}.${c.format}@example.com` },
      i % 7 === 0
        ? {
            addresses: [
              {
                recipient: 'Hana Sato',
                postalCode: '150-0001',
                region: 'Tokyo',
                city: 'Shibuya',
                line1: `1-${i}`,
                country: 'JP',
              },
            ],
            paymentMethods: [{ processorToken: `pm_${i}`, brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 }],
          }
        : {},
    );
    if (i % 10 === 9) delete row.password;
    return row;
  });
}
