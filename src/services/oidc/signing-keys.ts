import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { HOUR_MS, addMs } from '../../core/clock.ts';
import type { Db, Executor } from '../../store/database.ts';
import {
  insertSigningKey,
  listPublishedSigningKeys,
  retireSigningKeys,
  type OidcSigningKeyRow,
} from '../../store/oidc-signing-keys.ts';
import type { ServiceDeps } from '../deps.ts';

export const SIGNING_ALG = 'ES256';

/**
 * The longest a token signed by a key stays valid (ID and access tokens live an hour, logout tokens two
 * minutes), plus an hour for caches and clocks: a retired key is published that long.
 */
export const RETIRED_KEY_PUBLISHED_MS = 2 * HOUR_MS;

export type SigningKeyDeps = Pick<ServiceDeps, 'db' | 'clock' | 'random' | 'secrets'>;

export const signingKeyContext = (kid: string) => `oidc-signing-key:${kid}`;

/** A new signing key; null when another already signs (an instance beside this one made it first). */
async function newSigningKey(db: Executor, deps: SigningKeyDeps): Promise<string | null> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = deps.random.id();
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  const inserted = await insertSigningKey(db, {
    kid,
    alg: SIGNING_ALG,
    private_jwk_sealed: deps.secrets.seal(JSON.stringify(privateJwk), signingKeyContext(kid)),
    public_jwk: JSON.stringify(publicJwk),
    created_at: deps.clock.now().toISOString(),
    retired_at: null,
    published_until: null,
  });
  return inserted ? kid : null;
}

function privateJwkOf(deps: SigningKeyDeps, row: OidcSigningKeyRow): JWK {
  return JSON.parse(deps.secrets.open(row.private_jwk_sealed, signingKeyContext(row.kid))) as JWK;
}

/**
 * The provider's key set: the signing key first (oidc-provider signs with the first key of an
 * algorithm), then the retired keys still published. Makes the first key on a fresh store.
 */
export async function publishedSigningKeys(deps: SigningKeyDeps): Promise<JWK[]> {
  const now = deps.clock.now().toISOString();
  let rows = await listPublishedSigningKeys(deps.db, now);
  if (!rows.some((row) => row.retired_at === null)) {
    await newSigningKey(deps.db, deps);
    rows = await listPublishedSigningKeys(deps.db, now);
  }
  return rows.map((row) => privateJwkOf(deps, row));
}

/** The public halves of the published keys, as the JWKS shows them: what Mamori verifies its own tokens with. */
export async function publicSigningKeys(deps: SigningKeyDeps): Promise<JWK[]> {
  await publishedSigningKeys(deps);
  return (await listPublishedSigningKeys(deps.db, deps.clock.now().toISOString())).map(
    (row) => JSON.parse(row.public_jwk) as JWK,
  );
}

/** The key that signs now, for tokens Mamori signs itself (logout tokens). */
export async function currentSigningKey(deps: SigningKeyDeps): Promise<JWK> {
  const [current] = await publishedSigningKeys(deps);
  if (!current) throw new Error('no signing key');
  return current;
}

/**
 * `mamori keys rotate`: a new key signs from the next server start; the keys it replaces stay in the
 * JWKS until every token they signed has expired, so no shop sees a valid token it cannot verify.
 */
export async function rotateSigningKey(db: Db, deps: SigningKeyDeps): Promise<{ kid: string; retired: number }> {
  return db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const retired = await retireSigningKeys(trx, now.toISOString(), addMs(now, RETIRED_KEY_PUBLISHED_MS).toISOString());
    const kid = await newSigningKey(trx, deps);
    if (!kid) throw new Error('another signing key was made during the rotation');
    return { kid, retired };
  });
}
