/**
 * Password length rules from NIST SP 800-63B-4 §3.1.1.2 and ASVS 6.2: 15 characters when the password
 * is the only factor, 8 when a second factor is bound; at least 64 allowed; no composition rules;
 * length counted in Unicode code points and never truncated.
 */
export const PASSWORD_MIN_SINGLE_FACTOR = 15;
export const PASSWORD_MIN_WITH_SECOND_FACTOR = 8;
/** Far above the 64 the standards ask for, low enough that hashing stays bounded. */
export const PASSWORD_MAX = 256;

export function passwordLength(password: string): number {
  let count = 0;
  for (const _codePoint of password) count += 1;
  return count;
}

export function minimumPasswordLength(hasSecondFactor: boolean): number {
  return hasSecondFactor ? PASSWORD_MIN_WITH_SECOND_FACTOR : PASSWORD_MIN_SINGLE_FACTOR;
}

export type PasswordLengthProblem = 'PASSWORD_TOO_SHORT' | 'PASSWORD_TOO_LONG';

export function passwordLengthProblem(password: string, hasSecondFactor: boolean): PasswordLengthProblem | null {
  const length = passwordLength(password);
  if (length > PASSWORD_MAX) return 'PASSWORD_TOO_LONG';
  if (length < minimumPasswordLength(hasSecondFactor)) return 'PASSWORD_TOO_SHORT';
  return null;
}

/**
 * Context words that must not make up a password (ASVS 6.1.2): the shop's name and the parts of the
 * person's own address and name. Short fragments are dropped; they would match too much.
 */
export function passwordContextWords(input: { shopName: string; email: string; name?: string }): string[] {
  const [local = '', domain = ''] = input.email.toLowerCase().split('@');
  const words = [
    input.shopName,
    input.shopName.replace(/\s+/g, ''),
    local,
    ...local.split(/[._+-]/),
    domain.split('.')[0] ?? '',
    ...(input.name ?? '').split(/\s+/),
  ];
  return [...new Set(words.map((w) => w.toLowerCase().trim()).filter((w) => w.length >= 3))];
}
