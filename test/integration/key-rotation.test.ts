import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { resealStoredSecrets } from '../../src/services/keys/key-rotation.ts';
import { authorizationContext } from '../../src/services/ssf/streams.ts';
import { insertSsfStream } from '../../src/store/ssf-streams.ts';
import { SecretBox } from '../../src/platform/secret-box.ts';
import { staffSeedContext } from '../../src/services/support/staff-accounts.ts';
import { insertStaff } from '../../src/store/staff.ts';
import { insertAccount } from '../../src/store/accounts.ts';
import { openStore, type Db } from '../../src/store/database.ts';
import { confirmTotpFactor, insertTotp } from '../../src/store/factors.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';

const NOW = '2026-03-02T05:46:00.000Z';
const context = (factorId: string) => `totp-seed:${factorId}`;
const seedOf = (n: number) => `JBSWY3DPEHPK3PXP${'ABCDEFGHIJKLMNOP'.slice(0, n % 16).padEnd(16, 'Q')}`;

/** An account with one confirmed authenticator whose stored seed is `stored(id)`. */
async function accountWithSeed(db: Db, n: number, stored: (factorId: string) => string): Promise<string> {
  const accountId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const factorId = `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  await insertAccount(db, {
    id: accountId,
    email: `owner${n}@example.com`,
    email_verified_at: NOW,
    password_hash: null,
    name: 'Owner',
    locale: 'en',
    status: 'active',
    created_at: NOW,
    updated_at: NOW,
  });
  await insertTotp(db, { id: factorId, account_id: accountId, secret: stored(factorId), created_at: NOW });
  await confirmTotpFactor(db, factorId, NOW);
  return factorId;
}

/** A staff member whose stored seed is `stored(id)`. */
async function staffWithSeed(db: Db, n: number, stored: (staffId: string) => string): Promise<string> {
  const id = `20000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  await insertStaff(db, {
    id,
    email: `staff${n}@maple.example`,
    name: 'Staff',
    role: 'agent',
    password_hash: 'x',
    totp_secret: stored(id),
    created_at: NOW,
    disabled_at: null,
  });
  return id;
}

const key = () => randomBytes(32);

forEachStore('keys rotate', (store) => {
  let m: TestMamori;
  const previous = key();
  const current = key();
  beforeEach(async () => {
    m = await startMamori(store, {
      MAMORI_SECRET_KEY: current.toString('base64url'),
      MAMORI_SECRET_KEY_PREVIOUS: previous.toString('base64url'),
    });
  });
  afterEach(async () => {
    await m.close();
  });

  test('every seed in plain or under the previous key is sealed anew; one no key opens is named, not touched', async () => {
    const old = new SecretBox(previous);
    const underPrevious = await accountWithSeed(m.deps.db, 1, (id) => old.seal(seedOf(1), context(id)));
    const plain = await accountWithSeed(m.deps.db, 2, () => seedOf(2));
    const alreadyCurrent = await accountWithSeed(m.deps.db, 3, (id) => m.deps.secrets.seal(seedOf(3), context(id)));
    const lostKey = new SecretBox(key()).seal(seedOf(4), context('x'));
    const unreadable = await accountWithSeed(m.deps.db, 4, () => lostKey);
    const progress: string[] = [];

    const staffPlain = await staffWithSeed(m.deps.db, 1, () => seedOf(5));
    const staffUnderPrevious = await staffWithSeed(m.deps.db, 2, (id) => old.seal(seedOf(6), staffSeedContext(id)));

    const streamId = 'stream-1';
    await insertSsfStream(m.deps.db, {
      id: streamId,
      client_id: 'shop-1',
      delivery_method: 'urn:ietf:rfc:8935',
      endpoint_url: 'https://shop.example/events',
      authorization_sealed: old.seal('Bearer shop-secret', authorizationContext(streamId)),
      events_requested: '[]',
      description: null,
      status: 'enabled',
      status_reason: null,
      failing_since: null,
      created_at: '2026-03-02T00:00:00.000Z',
      updated_at: '2026-03-02T00:00:00.000Z',
    });

    const first = await resealStoredSecrets(m.deps.db, m.deps.secrets, (what, done) =>
      progress.push(`${what} ${done}`),
    );
    assert.deepEqual(first, {
      authenticators: { resealed: 2, alreadyCurrent: 1, unreadable: [unreadable] },
      staffAuthenticators: { resealed: 2, alreadyCurrent: 0, unreadable: [] },
      shopClientSecrets: { resealed: 0, alreadyCurrent: 0, unreadable: [] },
      signingKeys: { resealed: 0, alreadyCurrent: 1, unreadable: [] },
      streamAuthorizations: { resealed: 1, alreadyCurrent: 0, unreadable: [] },
    });
    assert.deepEqual(progress, [
      'authenticators 4',
      'staffAuthenticators 2',
      'shopClientSecrets 0',
      'signingKeys 1',
      'streamAuthorizations 1',
    ]);
    const stream = await m.deps.db.selectFrom('ssf_streams').select('authorization_sealed').executeTakeFirstOrThrow();
    assert.equal(
      new SecretBox(current).open(stream.authorization_sealed ?? '', authorizationContext(streamId)),
      'Bearer shop-secret',
      'the push header opens with the current key alone',
    );

    const onlyCurrent = new SecretBox(current);
    const rows = new Map(
      (await m.deps.db.selectFrom('totp_factors').select(['id', 'secret']).execute()).map((r) => [r.id, r.secret]),
    );
    for (const [n, id] of [
      [1, underPrevious],
      [2, plain],
      [3, alreadyCurrent],
    ] as const) {
      assert.equal(
        onlyCurrent.open(rows.get(id) ?? '', context(id)),
        seedOf(n),
        `seed ${n} opens with the current key alone`,
      );
    }
    assert.ok(!(rows.get(plain) ?? '').includes(seedOf(2)), 'the plain seed is no longer stored in plain');
    assert.equal(rows.get(unreadable), lostKey, 'a seed no key opens is left as it was');

    const staff = new Map(
      (await m.deps.db.selectFrom('staff_members').select(['id', 'totp_secret']).execute()).map((r) => [
        r.id,
        r.totp_secret,
      ]),
    );
    assert.equal(onlyCurrent.open(staff.get(staffPlain) ?? '', staffSeedContext(staffPlain)), seedOf(5));
    assert.equal(
      onlyCurrent.open(staff.get(staffUnderPrevious) ?? '', staffSeedContext(staffUnderPrevious)),
      seedOf(6),
    );
    assert.throws(
      () => onlyCurrent.open(staff.get(staffPlain) ?? '', context(staffPlain)),
      'a staff seed does not open as a customer seed',
    );

    const again = await resealStoredSecrets(m.deps.db, m.deps.secrets);
    assert.deepEqual(
      again,
      {
        authenticators: { resealed: 0, alreadyCurrent: 3, unreadable: [unreadable] },
        staffAuthenticators: { resealed: 0, alreadyCurrent: 2, unreadable: [] },
        shopClientSecrets: { resealed: 0, alreadyCurrent: 0, unreadable: [] },
        signingKeys: { resealed: 0, alreadyCurrent: 1, unreadable: [] },
        streamAuthorizations: { resealed: 0, alreadyCurrent: 1, unreadable: [] },
      },
      'a second run changes nothing',
    );
  });

  test('pages through many factors', async () => {
    const old = new SecretBox(previous);
    for (let n = 1; n <= 1_203; n += 1) await accountWithSeed(m.deps.db, n, (id) => old.seal(seedOf(n), context(id)));
    const progress: number[] = [];
    const result = await resealStoredSecrets(
      m.deps.db,
      m.deps.secrets,
      (what, done) => what === 'authenticators' && progress.push(done),
    );
    assert.deepEqual(result.authenticators, { resealed: 1_203, alreadyCurrent: 0, unreadable: [] });
    assert.deepEqual(progress, [500, 1_000, 1_203]);
  });
});

test('mamori keys rotate: seals anew, says when the previous key can go, and fails naming a seed it cannot open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-rotate-'));
  const databaseUrl = `sqlite:${join(dir, 'mamori.sqlite')}`;
  const previous = key();
  const current = key();
  const cli = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'keys', 'rotate'], {
      env: { PATH: process.env.PATH ?? '', MAMORI_DATABASE_URL: databaseUrl, MAMORI_LOG_LEVEL: 'silent', ...env },
      encoding: 'utf8',
    });
  try {
    const seeded = openStore(databaseUrl);
    await migrateToLatest(seeded.db);
    const factorId = await accountWithSeed(seeded.db, 1, (id) => new SecretBox(previous).seal(seedOf(1), context(id)));
    await seeded.close();

    const withoutPrevious = cli({ MAMORI_SECRET_KEY: current.toString('base64url') });
    assert.equal(withoutPrevious.status, 1, withoutPrevious.stderr);
    assert.match(withoutPrevious.stdout, new RegExp(`UNREADABLE factor ${factorId}: no configured key opens its seed`));

    const rotated = cli({
      MAMORI_SECRET_KEY: current.toString('base64url'),
      MAMORI_SECRET_KEY_PREVIOUS: previous.toString('base64url'),
    });
    assert.equal(rotated.status, 0, rotated.stderr);
    assert.match(rotated.stdout, /^Authenticator seeds: 1 sealed anew under the current key, 0 already were\./m);
    assert.match(rotated.stdout, /^Staff authenticator seeds: 0 sealed anew under the current key, 0 already were\./m);
    assert.match(rotated.stdout, /MAMORI_SECRET_KEY_PREVIOUS can be removed/);
    assert.doesNotMatch(rotated.stdout + rotated.stderr, new RegExp(seedOf(1)), 'no seed printed');

    const after = cli({ MAMORI_SECRET_KEY: current.toString('base64url') });
    assert.equal(after.status, 0, after.stderr);
    assert.match(after.stdout, /0 sealed anew under the current key, 1 already were\./);

    const malformed = cli({
      MAMORI_SECRET_KEY: current.toString('base64url'),
      MAMORI_SECRET_KEY_PREVIOUS: 'not-a-key',
    });
    assert.equal(malformed.status, 2);
    assert.match(malformed.stderr, /MAMORI_SECRET_KEY_PREVIOUS: must be one to four earlier keys/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
