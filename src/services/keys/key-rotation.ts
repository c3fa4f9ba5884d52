import { DomainError } from '../../core/errors.ts';
import type { Db, Executor } from '../../store/database.ts';
import { replaceTotpSecret, totpSecretsAfter } from '../../store/factors.ts';
import { replaceStaffTotpSecret, staffTotpSecretsAfter } from '../../store/staff.ts';
import type { SecretBox } from '../../platform/secret-box.ts';
import { staffSeedContext } from '../support/staff-accounts.ts';
import { seedContext } from '../second-factors/totp.ts';
import { oidcClientSecretsAfter, replaceOidcClientSecret } from '../../store/oidc-clients.ts';
import { replaceSigningKeySeal, signingKeysAfter } from '../../store/oidc-signing-keys.ts';
import { clientSecretContext } from '../oidc/clients.ts';
import { signingKeyContext } from '../oidc/signing-keys.ts';
import { replaceStreamAuthorization, streamAuthorizationsAfter } from '../../store/ssf-streams.ts';
import { authorizationContext } from '../ssf/streams.ts';

const PAGE = 500;

export interface ResealCount {
  /** Values that were in plain or under a key being rotated out, now sealed under the current key. */
  resealed: number;
  alreadyCurrent: number;
  /** Rows whose value no configured key opens (a previous key left out, or the value altered). */
  unreadable: string[];
}

/** A column of sealed values: how to page through it, what each value is bound to, how to swap one. */
interface SealedColumn {
  page(db: Executor, afterId: string, limit: number): Promise<{ id: string; secret: string }[]>;
  context(id: string): string;
  replace(db: Executor, id: string, from: string, to: string): Promise<boolean>;
}

const SEALED = {
  /** Customers' authenticator seeds, removed ones too: recovery may bring one back. */
  authenticators: { page: totpSecretsAfter, context: seedContext, replace: replaceTotpSecret },
  staffAuthenticators: { page: staffTotpSecretsAfter, context: staffSeedContext, replace: replaceStaffTotpSecret },
  shopClientSecrets: {
    page: oidcClientSecretsAfter,
    context: clientSecretContext,
    replace: (db, id, from, to) => replaceOidcClientSecret(db, id, from, to, null),
  },
  signingKeys: { page: signingKeysAfter, context: signingKeyContext, replace: replaceSigningKeySeal },
  streamAuthorizations: {
    page: streamAuthorizationsAfter,
    context: authorizationContext,
    replace: replaceStreamAuthorization,
  },
} satisfies Record<string, SealedColumn>;

export type ResealResult = Record<keyof typeof SEALED, ResealCount>;

async function resealColumn(
  db: Db,
  secrets: SecretBox,
  column: SealedColumn,
  onProgress: (done: number) => void,
): Promise<ResealCount> {
  const count: ResealCount = { resealed: 0, alreadyCurrent: 0, unreadable: [] };
  let after = '';
  for (;;) {
    const page = await column.page(db, after, PAGE);
    for (const row of page) {
      let fresh: string | null;
      try {
        fresh = secrets.resealed(row.secret, column.context(row.id));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        count.unreadable.push(row.id);
        continue;
      }
      if (fresh && (await column.replace(db, row.id, row.secret, fresh))) count.resealed += 1;
      else count.alreadyCurrent += 1;
    }
    onProgress(count.resealed + count.alreadyCurrent + count.unreadable.length);
    const last = page.at(-1);
    if (!last || page.length < PAGE) return count;
    after = last.id;
  }
}

/**
 * `mamori keys rotate`: every stored secret sealed anew under the current key, so the keys it replaces
 * can be dropped. Row by row and idempotent, so it can run beside live servers and be run again after a
 * stop; a value a server sealed anew meanwhile is left as that server wrote it.
 */
export async function resealStoredSecrets(
  db: Db,
  secrets: SecretBox,
  onProgress: (what: keyof ResealResult, done: number) => void = () => {},
): Promise<ResealResult> {
  return {
    authenticators: await resealColumn(db, secrets, SEALED.authenticators, (done) =>
      onProgress('authenticators', done),
    ),
    staffAuthenticators: await resealColumn(db, secrets, SEALED.staffAuthenticators, (done) =>
      onProgress('staffAuthenticators', done),
    ),
    shopClientSecrets: await resealColumn(db, secrets, SEALED.shopClientSecrets, (done) =>
      onProgress('shopClientSecrets', done),
    ),
    signingKeys: await resealColumn(db, secrets, SEALED.signingKeys, (done) => onProgress('signingKeys', done)),
    streamAuthorizations: await resealColumn(db, secrets, SEALED.streamAuthorizations, (done) =>
      onProgress('streamAuthorizations', done),
    ),
  };
}
