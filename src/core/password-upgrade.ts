/**
 * An imported password below Mamori's policy (issue 26). 'suggested': shorter or weaker than the policy
 * asks, or kept by the shop in a weak format (a leak of its old database gives it away fast); she is asked
 * for a new one or a passkey and may say "later". 'required': on the common/breached list; nothing else
 * opens until she has chosen a new one.
 */
export type PasswordUpgrade = 'suggested' | 'required';

export function passwordUpgradeFor(password: {
  onCommonList: boolean;
  meetsPolicy: boolean;
  fromWeakHash: boolean;
}): PasswordUpgrade | null {
  if (password.onCommonList) return 'required';
  return password.meetsPolicy && !password.fromWeakHash ? null : 'suggested';
}

export function parsePasswordUpgrade(value: string | null | undefined): PasswordUpgrade | null {
  return value === 'suggested' || value === 'required' ? value : null;
}

/** Where a signed-in person's session is used: her account pages and a shop's sign-in in progress. */
const SESSION_AREAS = ['/account', '/interaction/'];
/** A passkey is the other answer to a suggestion, so its page stays open then. */
const OPEN_WHEN_SUGGESTED = ['/account/passkeys'];

const under = (path: string, prefix: string) =>
  prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix || path.startsWith(`${prefix}/`);

/**
 * Whether a request is sent to the upgrade page instead. A required one holds every use of the session,
 * whatever the method; a suggestion only takes the place of the next page shown (a GET).
 */
export function heldForPasswordUpgrade(upgrade: PasswordUpgrade | null, method: string, path: string): boolean {
  if (!upgrade || !SESSION_AREAS.some((area) => under(path, area))) return false;
  if (upgrade === 'required') return true;
  return method === 'GET' && !OPEN_WHEN_SUGGESTED.some((open) => under(path, open));
}
