import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { DomainError } from '../core/errors.ts';

const VERSION = 'v1.';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Secrets the service must read back (TOTP seeds) are stored sealed with AES-256-GCM under the service
 * key (ASVS V6.2), bound to where they belong (`context`, e.g. the factor's id) so a sealed value copied to
 * another row does not open. Values from before sealing (no version prefix) are read as they are.
 * During a key rotation the keys it replaces still open what they sealed; only the current key seals.
 */
export class SecretBox {
  private readonly keys: Buffer[];
  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    for (const key of [current, ...previous])
      if (key.length !== KEY_BYTES) throw new Error(`a service key must be ${KEY_BYTES} bytes`);
    this.keys = [current, ...previous].map((key) => Buffer.from(key));
  }

  seal(plain: string, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.currentKey, nonce);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return VERSION + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
  }

  open(stored: string, context: string): string {
    return this.unseal(stored, context).plain;
  }

  /**
   * The value sealed anew under the current key when it is stored in plain or under a key being
   * replaced; null when it already is sealed under the current key. Throws INTERNAL when no key opens it.
   */
  resealed(stored: string, context: string): string | null {
    const { plain, keyIndex } = this.unseal(stored, context);
    return keyIndex === 0 ? null : this.seal(plain, context);
  }

  /**
   * Keys for another purpose (cookie signing), derived from each service key with HMAC-SHA-256: the
   * current key's first, so what the previous keys signed still verifies during a rotation.
   */
  derivedKeys(purpose: string): string[] {
    return this.keys.map((key) => createHmac('sha256', key).update(purpose).digest('base64url'));
  }

  private get currentKey(): Buffer {
    return this.keys[0] as Buffer;
  }

  /** The plain value and the key that opened it (0 the current one, -1 a value never sealed). */
  private unseal(stored: string, context: string): { plain: string; keyIndex: number } {
    if (!stored.startsWith(VERSION)) return { plain: stored, keyIndex: -1 };
    const raw = Buffer.from(stored.slice(VERSION.length), 'base64url');
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new DomainError('INTERNAL');
    for (const [keyIndex, key] of this.keys.entries()) {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      try {
        const plain = Buffer.concat([
          decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
        return { plain, keyIndex };
      } catch {
        // Not this key (or a value moved or altered): try the next, then fail without a guess or a stack.
      }
    }
    throw new DomainError('INTERNAL');
  }
}
