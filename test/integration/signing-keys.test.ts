import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  publicSigningKeys,
  publishedSigningKeys,
  RETIRED_KEY_PUBLISHED_MS,
  rotateSigningKey,
} from '../../src/services/oidc/signing-keys.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';

/** One key signs at a time, however many instances make the first one at once; a rotation keeps the old one published. */
forEachStore('token signing keys', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
    await m.deps.db.deleteFrom('oidc_signing_keys').execute();
  });
  afterEach(() => m.close());

  const current = () =>
    m.deps.db.selectFrom('oidc_signing_keys').select('kid').where('retired_at', 'is', null).execute();

  test('instances making the first key at the same moment end up signing with the same one', async () => {
    const sets = await Promise.all(Array.from({ length: 4 }, () => publishedSigningKeys(m.deps)));
    const signing = await current();
    assert.equal(signing.length, 1, 'one key signs');
    for (const keys of sets) assert.equal(keys[0]?.kid, signing[0]?.kid);
  });

  test('a rotation retires the signing key into the published set for two hours, and a new one signs', async () => {
    const [first] = await publishedSigningKeys(m.deps);
    const rotated = await rotateSigningKey(m.deps.db, m.deps);
    assert.equal(rotated.retired, 1);
    assert.notEqual(rotated.kid, first?.kid);
    assert.deepEqual(
      (await current()).map((row) => row.kid),
      [rotated.kid],
    );
    assert.deepEqual(
      (await publicSigningKeys(m.deps)).map((jwk) => jwk.kid),
      [rotated.kid, first?.kid],
      'the new key first (it signs), the retired one still published',
    );
    m.clock.advance(RETIRED_KEY_PUBLISHED_MS + 1);
    assert.deepEqual(
      (await publicSigningKeys(m.deps)).map((jwk) => jwk.kid),
      [rotated.kid],
    );
  });
});
