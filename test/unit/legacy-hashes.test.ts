import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import * as legacyHashes from '../../src/platform/legacy-hashes/index.ts';
import {
  IMPORTED_HASH_FORMATS,
  type ImportedHash,
  type LegacyKeys,
  isWeak,
  neededKey,
  parseImportedHash,
  verifyImportedPassword,
} from '../../src/platform/legacy-hashes/index.ts';

interface Fixture {
  format: string;
  hash: string;
  salt?: string;
  authMagic?: string;
  madeBy?: string;
  checks: { password: string; verifies: boolean }[];
}
const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/legacy-hashes/${name}`, import.meta.url), 'utf8')) as {
    keys?: LegacyKeys['firebase'];
    fixtures: Fixture[];
  };
const php = load('php.json');
const python = load('python.json');
const firebase = load('firebase.json');
const FIXTURES = [...php.fixtures, ...python.fixtures, ...firebase.fixtures];
const keysFor = (f: Fixture): LegacyKeys => ({
  ...(f.authMagic ? { eccubeAuthMagic: f.authMagic } : {}),
  ...(f.format === 'firebase-scrypt' ? { firebase: firebase.keys } : {}),
});

function imported(f: Fixture): ImportedHash {
  const parsed = parseImportedHash(f.format, f.hash, f.salt);
  assert.ok(parsed.ok, `${f.format} ${f.hash}: ${parsed.ok ? '' : parsed.refusal.detail}`);
  return parsed.hash;
}

/** One character of the digest part changed to another of the same alphabet. */
function tamper(f: Fixture): string {
  const at = f.format === 'magento2' ? 5 : f.hash.length - 5;
  const replacement = f.hash[at] === 'a' ? 'b' : 'a';
  return f.hash.slice(0, at) + replacement + f.hash.slice(at + 1);
}

test('every format the importer accepts has fixtures made by the original software', () => {
  const covered = new Set(FIXTURES.map((f) => f.format));
  assert.deepEqual(
    IMPORTED_HASH_FORMATS.filter((format) => !covered.has(format)),
    [],
  );
});

describe('each fixture gives the verdicts of the software that made it', () => {
  for (const f of FIXTURES) {
    test(`${f.format} ${f.hash.slice(0, 24)}… (${f.madeBy ?? 'published vector'})`, async () => {
      const hash = imported(f);
      for (const check of f.checks)
        assert.equal(
          await verifyImportedPassword(hash, check.password, keysFor(f)),
          check.verifies,
          `${JSON.stringify(check.password)} should ${check.verifies ? '' : 'not '}verify`,
        );
    });
  }
});

describe('an intruder who altered the stored hash gets nowhere with the right password', () => {
  for (const f of FIXTURES) {
    test(`${f.format} ${f.hash.slice(0, 24)}…`, async () => {
      const right = f.checks.find((c) => c.verifies)?.password as string;
      const altered = tamper(f);
      assert.notEqual(altered, f.hash);
      const parsed = parseImportedHash(f.format, altered, f.salt);
      if (parsed.ok) assert.equal(await verifyImportedPassword(parsed.hash, right, keysFor(f)), false);
      // Stored rows can be altered behind the importer's back too: verify must still say no, not throw.
      const raw = { format: f.format, hash: altered, ...(f.salt ? { salt: f.salt } : {}) } as ImportedHash;
      assert.equal(await verifyImportedPassword(raw, right, keysFor(f)), false);
    });
  }
});

test("another shop's salt, AUTH_MAGIC or Firebase signer key does not open a customer's hash", async () => {
  const eccube = php.fixtures.filter((f) => f.format === 'eccube');
  const [a, b] = [eccube[0] as Fixture, eccube[1] as Fixture];
  const right = a.checks[0]?.password as string;
  const withOtherSalt = parseImportedHash('eccube', a.hash, b.salt);
  assert.ok(withOtherSalt.ok);
  assert.equal(await verifyImportedPassword(withOtherSalt.hash, right, keysFor(a)), false);
  assert.equal(await verifyImportedPassword(imported(a), right, { eccubeAuthMagic: 'another shop' }), false);
  assert.equal(await verifyImportedPassword(imported(a), right, {}), false, 'no AUTH_MAGIC, no sign-in');

  const fb = firebase.fixtures[0] as Fixture;
  const otherProject = { ...(firebase.keys as NonNullable<LegacyKeys['firebase']>) };
  otherProject.signerKey = Buffer.alloc(64, 7).toString('base64');
  assert.equal(await verifyImportedPassword(imported(fb), 'user1password', { firebase: otherProject }), false);
  assert.equal(
    await verifyImportedPassword(imported(fb), 'user1password', { firebase: { ...otherProject, rounds: 7 } }),
    false,
  );
  assert.equal(await verifyImportedPassword(imported(fb), 'user1password', {}), false);
});

test('the key each hash needs is named, so the importer can refuse rows it could never check', () => {
  const byFormat = (format: string) => imported(FIXTURES.find((f) => f.format === format) as Fixture);
  assert.equal(neededKey(byFormat('eccube')), 'eccubeAuthMagic');
  assert.equal(neededKey(byFormat('eccube-sha1')), 'eccubeAuthMagic');
  assert.equal(neededKey(byFormat('firebase-scrypt')), 'firebase');
  assert.equal(neededKey(byFormat('bcrypt')), null);
});

test('weak constructions are marked weak, stretched ones are not', () => {
  const weakness = new Map<string, boolean>();
  for (const f of FIXTURES)
    weakness.set(`${f.format}${f.format === 'magento2' ? f.hash.split(':')[2] : ''}`, isWeak(imported(f)));
  for (const weak of [
    'phpass',
    'eccube',
    'eccube-sha1',
    'magento21',
    'magento20',
    'md5-salt-password',
    'sha256-password-salt',
  ])
    assert.equal(weakness.get(weak), true, weak);
  for (const strong of [
    'bcrypt',
    'argon2id',
    'argon2i',
    'wordpress',
    'magento22',
    'magento23_32_2_67108864',
    'django-pbkdf2-sha256',
    'scrypt',
    'firebase-scrypt',
    'pbkdf2-sha512',
  ])
    assert.equal(weakness.get(strong), false, strong);
});

describe('a hostile or broken import row is refused with a reason, never a throw', () => {
  const cases: [string, string, string | undefined, string][] = [
    ['sha3-whatever', 'abc', undefined, 'UNKNOWN_FORMAT'],
    ['bcrypt', '', undefined, 'MALFORMED_HASH'],
    ['bcrypt', '$2y$10$short', undefined, 'MALFORMED_HASH'],
    ['bcrypt', '$2y$31$' + 'a'.repeat(53), undefined, 'COST_OUT_OF_RANGE'],
    ['bcrypt', '$2y$10$' + 'a'.repeat(53), 'somesalt', 'SALT_NOT_EXPECTED'],
    ['bcrypt', '$2y$10$' + 'a'.repeat(2000), undefined, 'TOO_LONG'],
    ['wordpress', '$2y$10$' + 'a'.repeat(53), undefined, 'MALFORMED_HASH'],
    ['wordpress', '$wp$2y$20$' + 'a'.repeat(53), undefined, 'COST_OUT_OF_RANGE'],
    ['argon2id', '$argon2i$v=19$m=8192,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$' + 'a'.repeat(43), undefined, 'MALFORMED_HASH'],
    [
      'argon2id',
      '$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$' + 'a'.repeat(43),
      undefined,
      'COST_OUT_OF_RANGE',
    ],
    ['phpass', '$P$Zabcdefgh' + 'a'.repeat(22), undefined, 'COST_OUT_OF_RANGE'],
    ['phpass', '$X$Babcdefgh' + 'a'.repeat(22), undefined, 'MALFORMED_HASH'],
    ['eccube', 'ab'.repeat(32), undefined, 'SALT_REQUIRED'],
    ['eccube', 'zz'.repeat(32), 'salt', 'MALFORMED_HASH'],
    ['eccube-sha1', 'ab'.repeat(20), 'salt', 'SALT_NOT_EXPECTED'],
    ['magento2', 'ab'.repeat(32), undefined, 'MALFORMED_HASH'],
    ['magento2', 'ab'.repeat(32) + ':salt:9', undefined, 'MALFORMED_HASH'],
    ['magento2', 'ab'.repeat(32) + ':salt:3_32_2_4294967296', undefined, 'COST_OUT_OF_RANGE'],
    ['magento2', 'ab'.repeat(16) + ':salt:1', undefined, 'MALFORMED_HASH'],
    ['django-pbkdf2-sha256', 'pbkdf2_sha256$99999999$salt$' + 'A'.repeat(43) + '=', undefined, 'COST_OUT_OF_RANGE'],
    ['django-pbkdf2-sha256', 'pbkdf2_sha1$1000$salt$' + 'A'.repeat(27) + '=', undefined, 'MALFORMED_HASH'],
    ['pbkdf2-sha256', '$pbkdf2-sha512$1000$c2FsdA$' + 'a'.repeat(86), undefined, 'MALFORMED_HASH'],
    ['scrypt', '$scrypt$ln=30,r=8,p=1$c2FsdA$' + 'A'.repeat(43), undefined, 'COST_OUT_OF_RANGE'],
    ['firebase-scrypt', 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SA', undefined, 'SALT_REQUIRED'],
    ['firebase-scrypt', 'not base64!', 'c2FsdA==', 'MALFORMED_HASH'],
    ['md5-salt-password', 'ab'.repeat(20), 'salt', 'MALFORMED_HASH'],
  ];
  for (const [format, hash, salt, code] of cases)
    test(`${format} ${hash.slice(0, 30)} → ${code}`, async () => {
      const parsed = parseImportedHash(format, hash, salt);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) {
        assert.equal(parsed.refusal.code, code);
        assert.ok(parsed.refusal.detail.length > 0);
      }
      const raw = { format, hash, ...(salt ? { salt } : {}) } as ImportedHash;
      assert.equal(await verifyImportedPassword(raw, 'anything', { eccubeAuthMagic: 'x' }), false);
      assert.equal(isWeak(raw), true, 'what cannot be parsed is never treated as strong');
    });
});

test('an over-long password is refused before any work, and one with a NUL byte never verifies (PHP would cut it there)', async () => {
  const bcrypt = imported(php.fixtures.find((f) => f.format === 'bcrypt') as Fixture);
  const started = process.hrtime.bigint();
  assert.equal(await verifyImportedPassword(bcrypt, 'x'.repeat(4097), {}), false);
  assert.ok(process.hrtime.bigint() - started < 20_000_000n);
  const right = (php.fixtures[0] as Fixture).checks[0]?.password as string;
  assert.equal(await verifyImportedPassword(bcrypt, right + '\0', {}), false);
  assert.equal(await verifyImportedPassword(bcrypt, right, {}), true);
});

test('hex digests are stored in lower case whatever case the export used', async () => {
  const f = python.fixtures.find((x) => x.format === 'sha256-salt-password') as Fixture;
  const parsed = parseImportedHash(f.format, f.hash.toUpperCase(), f.salt);
  assert.ok(parsed.ok);
  assert.equal(parsed.hash.hash, f.hash);
  assert.equal(await verifyImportedPassword(parsed.hash, f.checks[0]?.password as string, {}), true);
});

describe('no production code can make a legacy hash (Mamori only ever writes argon2id)', () => {
  const SRC = new URL('../../src/', import.meta.url);
  const sources = (readdirSync(SRC, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ file, text: readFileSync(new URL(file, SRC), 'utf8') }));

  test('the module offers parsing and checking only', () => {
    assert.deepEqual(Object.keys(legacyHashes).sort(), [
      'IMPORTED_HASH_FORMATS',
      'REFUSAL_CODES',
      'firebaseKeysSchema',
      'isWeak',
      'legacyKeysSchema',
      'neededKey',
      'parseImportedHash',
      'verifyImportedPassword',
    ]);
  });

  test('nothing outside the module reaches into its families', () => {
    const inside = /^platform[/\\]legacy-hashes[/\\]/;
    const offenders = sources.filter(
      ({ file, text }) => !inside.test(file) && /legacy-hashes\/(?!index\.ts)[\w-]+\.ts/.test(text),
    );
    assert.deepEqual(
      offenders.map((o) => o.file),
      [],
    );
  });

  test('bcrypt is imported for verify alone, and nothing generates its salts', () => {
    for (const { file, text } of sources) {
      for (const [, names] of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@node-rs\/bcrypt'/g))
        assert.deepEqual(
          (names as string)
            .split(',')
            .map((n) => n.trim())
            .filter(Boolean),
          ['verify'],
          file,
        );
      assert.doesNotMatch(text, /import\s+(\*\s+as\s+)?\w+\s*(,\s*\{[^}]*\})?\s*from\s*'@node-rs\/bcrypt'/, file);
      assert.doesNotMatch(text, /import\(\s*'@node-rs\/bcrypt'\s*\)/, file);
    }
  });
});

test('a stored hash parses again to itself, so what the importer keeps is what sign-in checks', () => {
  for (const f of FIXTURES) {
    const once = imported(f);
    const again = parseImportedHash(once.format, once.hash, once.salt);
    assert.ok(again.ok);
    assert.deepEqual(again.hash, once);
  }
});

test('shop keys are validated at the edge: a made-up Firebase cost or an empty AUTH_MAGIC is refused', () => {
  const project = firebase.keys as NonNullable<LegacyKeys['firebase']>;
  assert.equal(legacyHashes.legacyKeysSchema.safeParse({ firebase: project }).success, true);
  assert.equal(legacyHashes.legacyKeysSchema.safeParse({ firebase: { ...project, memCost: 20 } }).success, false);
  assert.equal(legacyHashes.legacyKeysSchema.safeParse({ firebase: { ...project, rounds: 0 } }).success, false);
  assert.equal(legacyHashes.legacyKeysSchema.safeParse({ firebase: { ...project, signerKey: '%%' } }).success, false);
  assert.equal(legacyHashes.legacyKeysSchema.safeParse({ eccubeAuthMagic: '' }).success, false);
  assert.equal(legacyHashes.legacyKeysSchema.safeParse({ somethingElse: 'x' }).success, false);
});
