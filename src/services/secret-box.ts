import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../core/errors.ts';

const VERSION = 'v1.';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Secrets the service must read back (TOTP seeds) are stored sealed with AES-256-GCM under the service
 * key (ASVS V6.2), bound to where they belong (`context`, e.g. the factor's id) so a sealed value copied to
 * another row does not open. Values from before sealing (no version prefix) are read as they are.
 */
export class SecretBox {
  private readonly key: Buffer;
  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`the service key must be ${KEY_BYTES} bytes`);
    this.key = Buffer.from(key);
  }

  /** False for a value stored before sealing, which the next write should seal. */
  isSealed(stored: string): boolean {
    return stored.startsWith(VERSION);
  }

  seal(plain: string, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return VERSION + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
  }

  open(stored: string, context: string): string {
    if (!this.isSealed(stored)) return stored;
    const raw = Buffer.from(stored.slice(VERSION.length), 'base64url');
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new DomainError('INTERNAL');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      // A wrong key or a value moved or altered: never a guess, never the stack.
      throw new DomainError('INTERNAL');
    }
  }
}
