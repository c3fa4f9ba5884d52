/**
 * Mamori stores a processor token, the brand, the last 4 digits and the expiry of a card, never the
 * number itself (PCI DSS keeps full numbers out of systems like this one). Anything that looks like a
 * full card number, in any field, is refused before it reaches the store.
 */
export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'jcb', 'diners', 'discover', 'unionpay', 'other'] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** True when the text holds 12–19 digits in a row (spaces and dashes ignored), the shape of a card number. */
export function containsCardNumber(text: string): boolean {
  const runs = text.replace(/[\s-]/g, '').match(/\d{12,19}/g) ?? [];
  return runs.some((run) => run.length >= 12);
}

export function isExpired(expMonth: number, expYear: number, now: Date): boolean {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  return expYear < year || (expYear === year && expMonth < month);
}
