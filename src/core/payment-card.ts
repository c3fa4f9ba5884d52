/**
 * Mamori stores a processor token, the brand, the last 4 digits and the expiry of a card, never the
 * number itself (PCI DSS keeps full numbers out of systems like this one). Anything that looks like a
 * full card number, in any field, is refused before it reaches the store.
 */
export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'jcb', 'diners', 'discover', 'unionpay', 'other'] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

/** Digits as people type them: ASCII or full width (a Japanese keyboard's ０–９). */
const DIGIT = '[0-9\\uFF10-\\uFF19]';
/** What people put between the groups of a card number: a space (or ideographic space) or a dash. */
const SEPARATOR = '[ \\u3000\\-\\u2010-\\u2013\\uFF0D]';
/** Digits with at most one separator between any two of them. */
const DIGIT_RUN = new RegExp(`${DIGIT}(?:${SEPARATOR}?${DIGIT})*`, 'g');
const GROUP = new RegExp(`${DIGIT}+`, 'g');
/** Ids Mamori and shops use (UUIDs): their digit groups can add up to a Luhn-valid 16, yet no card is written so. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const PAN_MIN = 13;
const PAN_MAX = 19;

function digitValue(char: string): number {
  const code = char.charCodeAt(0);
  return code >= 0xff10 ? code - 0xff10 : code - 48;
}

/** Whether the text holds at least `count` digits (ASCII or full width), wherever they are. */
function hasDigits(text: string, count: number): boolean {
  let seen = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if ((code >= 48 && code <= 57) || (code >= 0xff10 && code <= 0xff19)) {
      seen += 1;
      if (seen >= count) return true;
    }
  }
  return false;
}

/** Luhn (ISO/IEC 7812-1 annex B) over ASCII or full-width digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digitValue(digits[i]!);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Where a card number sits in a text: [start, end) in UTF-16 units. */
export interface CardNumberSpan {
  start: number;
  end: number;
}

/**
 * Every stretch of the text that is a payment card number (PAN): 13–19 digits, ASCII or full width,
 * written together or in groups split by single spaces or dashes (`4111 1111-1111 1111`), passing the
 * Luhn check. A number may start at any group of a longer run, so a PAN typed with its security code
 * after it (`4111 1111 1111 1111 123`) is found too, while a long reference without separators is
 * judged as a whole (20 digits are no card). Not counted: a UUID, a run that starts with 0 (no card
 * issuer's number does, ISO/IEC 7812) or follows a `+` (a phone number in international notation).
 */
export function findCardNumbers(text: string): CardNumberSpan[] {
  const spans: CardNumberSpan[] = [];
  // Most fields (names, addresses, form tokens, every field name) hold fewer digits than a card number
  // has: answered by one pass over the text, without matchAll's fresh copy of each pattern.
  if (!hasDigits(text, PAN_MIN)) return spans;
  const scanned = text.replace(UUID, (id) => 'x'.repeat(id.length));
  for (const run of scanned.matchAll(DIGIT_RUN)) {
    if (scanned[run.index - 1] === '+') continue;
    const groups = [...run[0].matchAll(GROUP)].map((g) => ({
      start: run.index + g.index,
      end: run.index + g.index + g[0].length,
      digits: g[0],
    }));
    let from = 0;
    while (from < groups.length) {
      const span = panFrom(groups, from);
      if (span) {
        spans.push({ start: groups[from]!.start, end: groups[span.last]!.end });
        from = span.last + 1;
      } else from += 1;
    }
  }
  return spans;
}

/** The longest PAN that starts at group `from` and ends at a group's end, if any. */
function panFrom(groups: { digits: string }[], from: number): { last: number } | null {
  if (digitValue(groups[from]!.digits[0]!) === 0) return null;
  let digits = '';
  let found: { last: number } | null = null;
  for (let last = from; last < groups.length; last += 1) {
    digits += groups[last]!.digits;
    if (digits.length > PAN_MAX) break;
    if (digits.length >= PAN_MIN && passesLuhn(digits)) found = { last };
  }
  return found;
}

/** True when the text holds a card number anywhere (see findCardNumbers). */
export function containsCardNumber(text: string): boolean {
  return findCardNumbers(text).length > 0;
}

/**
 * The text with every card number masked but its last 4 digits (`•••• •••• •••• 1111`), separators and
 * everything around it kept: how a customer's own words to support are kept when they hold a card number.
 */
export function maskCardNumbers(text: string): string {
  let out = '';
  let at = 0;
  for (const { start, end } of findCardNumbers(text)) {
    const number = text.slice(start, end);
    let keep = 4;
    let masked = '';
    for (let i = number.length - 1; i >= 0; i -= 1) {
      const char = number[i]!;
      const isDigit = /[0-9\uFF10-\uFF19]/.test(char);
      masked = (isDigit && keep-- <= 0 ? '•' : char) + masked;
    }
    out += text.slice(at, start) + masked;
    at = end;
  }
  return out + text.slice(at);
}

/**
 * The places in a parsed body (JSON or form) whose text holds a card number, as paths
 * (`shipTo.line1`, `ack[2]`); an object key counts as text too (`setErrs.•••…0000 (name)`). A path never
 * repeats the number itself: any card number in a key is masked. Walked with a stack of its own, not
 * by recursion, so a hostile body nested thousands deep is a refusal like any other, never a crash.
 */
export function cardNumberFields(value: unknown): string[] {
  const found: string[] = [];
  // Each entry: a value to look into, or (`key`) a key already known to hold a number.
  const todo: { value?: unknown; path: string; key?: true }[] = [{ value, path: '' }];
  while (todo.length > 0) {
    const { value: item, path, key } = todo.pop()!;
    if (key) found.push(`${path} (name)`);
    else if (typeof item === 'string') {
      if (containsCardNumber(item)) found.push(path || 'body');
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i -= 1) todo.push({ value: item[i], path: `${path}[${i}]` });
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [name, child] = entries[i]!;
        const named = path ? `${path}.${maskCardNumbers(name)}` : maskCardNumbers(name);
        todo.push({ value: child, path: named });
        if (containsCardNumber(name)) todo.push({ path: named, key: true });
      }
    }
  }
  return found;
}

export function isExpired(expMonth: number, expYear: number, now: Date): boolean {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  return expYear < year || (expYear === year && expMonth < month);
}
