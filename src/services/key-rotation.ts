import { DomainError } from '../core/errors.ts';
import type { Db } from '../store/database.ts';
import { replaceTotpSecret, totpSecretsAfter } from '../store/factors.ts';
import type { SecretBox } from './secret-box.ts';
import { seedContext } from './two-step.ts';

const PAGE = 500;

export interface ResealResult {
  /** Seeds that were in plain or under a key being rotated out, now sealed under the current key. */
  resealed: number;
  alreadyCurrent: number;
  /** Factors whose seed no configured key opens (a previous key left out, or the value altered). */
  unreadable: string[];
}

/**
 * `mamori keys rotate`: every stored seed sealed anew under the current key, so the keys it replaces can
 * be dropped. Row by row and idempotent, so it can run beside live servers and be run again after a stop;
 * a seed a server sealed anew meanwhile is left as that server wrote it.
 */
export async function resealStoredSecrets(db: Db, secrets: SecretBox, onProgress: (done: number) => void = () => {}): Promise<ResealResult> {
  const result: ResealResult = { resealed: 0, alreadyCurrent: 0, unreadable: [] };
  let after = '';
  for (;;) {
    const page = await totpSecretsAfter(db, after, PAGE);
    for (const factor of page) {
      let fresh: string | null;
      try {
        fresh = secrets.resealed(factor.secret, seedContext(factor.id));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        result.unreadable.push(factor.id);
        continue;
      }
      if (fresh && (await replaceTotpSecret(db, factor.id, factor.secret, fresh))) result.resealed += 1;
      else result.alreadyCurrent += 1;
    }
    onProgress(result.resealed + result.alreadyCurrent + result.unreadable.length);
    const last = page.at(-1);
    if (!last || page.length < PAGE) return result;
    after = last.id;
  }
}
