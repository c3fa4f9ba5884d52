import { hash, verify } from '@node-rs/argon2';

/** argon2id at the OWASP Password Storage parameters (m=19456 KiB, t=2, p=1) or stronger. */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

const ARGON2ID = 2;

export class PasswordHasher {
  private dummyHash: Promise<string>;
  constructor(readonly params: Argon2Params) {
    // Verified against for unknown accounts so that "no such account" costs the same as a wrong password.
    this.dummyHash = this.hash('mamori-dummy-password-for-uniform-timing');
  }

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: ARGON2ID, ...this.params, outputLen: 32 });
  }

  async verify(storedHash: string | null, password: string): Promise<boolean> {
    if (!storedHash) {
      await verify(await this.dummyHash, password).catch(() => false);
      return false;
    }
    return verify(storedHash, password).catch(() => false);
  }

  /** True when the stored hash was made with weaker parameters than today's (STANDARDS B2). */
  needsRehash(storedHash: string): boolean {
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(storedHash);
    if (!match) return true;
    return Number(match[1]) < this.params.memoryCost || Number(match[2]) < this.params.timeCost;
  }
}
