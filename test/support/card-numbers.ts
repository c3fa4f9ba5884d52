import type { TestMamori } from './harness.ts';

/**
 * Card numbers as a careless shop or a panicking customer writes them: the networks' test numbers,
 * together, grouped, with the expiry and security code, in full-width digits.
 */
export const PAN_VARIANTS = [
  '4111111111111111',
  '4111 1111 1111 1111 exp 12/29 cvv 123',
  '5555-5555-5555-4444',
  'card 3530111333300000',
  '３７８２ ８２２４６３ １０００５',
  '6250941006528599',
] as const;

/** The digits of each variant: what must appear nowhere Mamori keeps or sends anything. */
const PAN_DIGITS = PAN_VARIANTS.map((pan) => {
  const digits = /\d{13,19}/.exec(digitsOf(pan))?.[0];
  if (!digits) throw new Error(`no card number in ${pan}`);
  return digits;
});

function digitsOf(text: string): string {
  return text.replace(/[\uFF10-\uFF19]/g, (d) => String(d.charCodeAt(0) - 0xff10)).replace(/[\s\u3000\-\uFF0D]/g, '');
}

/**
 * Where any of the variants' numbers ended up: every row of every table (account log, outbox, support
 * requests, shop changes, streams…) and every mail sent. Empty when Mamori kept none.
 */
export async function keptCardNumbers(m: TestMamori): Promise<string[]> {
  const found: string[] = [];
  for (const table of await m.deps.db.introspection.getTables()) {
    const rows = await m.deps.db
      .selectFrom(table.name as 'accounts')
      .selectAll()
      .execute();
    const text = digitsOf(JSON.stringify(rows));
    for (const pan of PAN_DIGITS) if (text.includes(pan)) found.push(`${table.name}: ${pan}`);
  }
  for (const mail of m.mailer.sent) {
    const text = digitsOf(JSON.stringify(mail));
    for (const pan of PAN_DIGITS) if (text.includes(pan)) found.push(`mail "${mail.subject}": ${pan}`);
  }
  return found;
}
