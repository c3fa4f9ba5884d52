import { hash } from 'node:crypto';

/**
 * Secrets are stored as SHA-256 only. Lookup is by the hash's equality in an index: a timing
 * difference there tells an attacker about a hash prefix of their own guess, which is worthless
 * for a 256-bit random token, so no separate constant-time compare is needed.
 */
export function hashToken(token: string): string {
  // The one-shot digest: a sign-in hashes four values, and a Hash object per value cost more than the digest.
  return hash('sha256', token, 'base64url');
}

/** Tokens we issue are 43 base64url characters; anything else is refused before touching the store. */
export function looksLikeToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}
