import { timingSafeEqual } from 'node:crypto';

/** Longest password any legacy check looks at (WordPress's own bound); longer ones are wrong without work. */
export const MAX_PASSWORD_BYTES = 4096;
export const MAX_HASH_LENGTH = 1024;
export const MAX_SALT_LENGTH = 512;

/** Constant-time equality of two derived values; only their lengths, which are public, may differ. */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time equality of two hex digests, compared as the bytes they stand for. */
export function sameHex(computedHex: string, storedHex: string): boolean {
  return sameBytes(Buffer.from(computedHex, 'hex'), Buffer.from(storedHex, 'hex'));
}

/**
 * PHP's trim(): only " \t\n\r\0\x0B", unlike String.prototype.trim, which also strips U+3000 (the
 * ideographic space a Japanese keyboard types) and so would accept what WordPress refuses.
 */
const PHP_TRIMMED = new Set([' ', '\t', '\n', '\r', '\0', '\v']);
export function phpTrim(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && PHP_TRIMMED.has(value.charAt(start))) start++;
  while (end > start && PHP_TRIMMED.has(value.charAt(end - 1))) end--;
  return value.slice(start, end);
}

export const HEX = /^[0-9a-fA-F]+$/;
/** Standard base64 with its padding (Django, Firebase). */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Unpadded base64 in the standard or passlib's "adapted" alphabet ('.' for '+'). */
export const AB64 = /^[A-Za-z0-9+/.]*$/;

/** Decodes unpadded standard or adapted base64 (passlib writes '.' where base64 has '+'). */
export function decodeAb64(value: string): Buffer {
  return Buffer.from(value.replaceAll('.', '+'), 'base64');
}

/** True when the decoded bytes would encode back to the same text (no stray bits, no junk). */
export function isCanonicalAb64(value: string, decoded: Buffer): boolean {
  return decoded.toString('base64').replace(/=+$/, '') === value.replaceAll('.', '+');
}
