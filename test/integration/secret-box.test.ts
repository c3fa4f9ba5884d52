import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { serviceKey } from '../../src/runtime/service-key.ts';
import { SecretBox } from '../../src/platform/secret-box.ts';

const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

test('a sealed seed opens only with the same key and for the row it was sealed to', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.seal(SEED, 'totp-seed:a');
  assert.match(sealed, /^v1\.[A-Za-z0-9_-]+$/);
  assert.ok(!sealed.includes(SEED));
  assert.notEqual(box.seal(SEED, 'totp-seed:a'), sealed, 'a fresh nonce every time');
  assert.equal(box.open(sealed, 'totp-seed:a'), SEED);
  assert.throws(() => box.open(sealed, 'totp-seed:b'), { code: 'INTERNAL' }, 'copied to another factor');
  assert.throws(() => new SecretBox(randomBytes(32)).open(sealed, 'totp-seed:a'), { code: 'INTERNAL' }, 'another key');
  const flipped = sealed.slice(0, -2) + (sealed.at(-2) === 'A' ? 'B' : 'A') + sealed.at(-1);
  assert.throws(() => box.open(flipped, 'totp-seed:a'), { code: 'INTERNAL' }, 'altered');
  assert.throws(() => box.open('v1.abc', 'totp-seed:a'), { code: 'INTERNAL' }, 'truncated');
});

test('a seed stored before sealing is read as it is', () => {
  assert.equal(new SecretBox(randomBytes(32)).open(SEED, 'totp-seed:a'), SEED);
});

test('during a rotation the previous key still opens, only the current one seals, and resealed says what needs sealing anew', () => {
  const previous = randomBytes(32);
  const current = randomBytes(32);
  const old = new SecretBox(previous).seal(SEED, 'totp-seed:a');
  const box = new SecretBox(current, [previous]);
  assert.equal(box.open(old, 'totp-seed:a'), SEED);
  const fresh = box.resealed(old, 'totp-seed:a');
  assert.ok(fresh);
  assert.equal(new SecretBox(current).open(fresh, 'totp-seed:a'), SEED, 'sealed under the current key alone');
  assert.throws(() => new SecretBox(previous).open(fresh, 'totp-seed:a'), { code: 'INTERNAL' });
  assert.equal(box.resealed(fresh, 'totp-seed:a'), null, 'already under the current key');
  assert.equal(
    new SecretBox(current).open(box.resealed(SEED, 'totp-seed:a') ?? '', 'totp-seed:a'),
    SEED,
    'a plain seed is sealed',
  );
  assert.throws(
    () => box.resealed(new SecretBox(randomBytes(32)).seal(SEED, 'totp-seed:a'), 'totp-seed:a'),
    { code: 'INTERNAL' },
    'no key opens it',
  );
  assert.throws(() => box.open(old, 'totp-seed:b'), { code: 'INTERNAL' }, 'bound to its row under every key');
});

test('the embedded default keeps its key beside the SQLite file, made once, readable by the owner only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-key-'));
  try {
    const config = loadConfig({ MAMORI_DATABASE_URL: `sqlite:${join(dir, 'db', 'mamori.sqlite')}` });
    const first = serviceKey(config);
    assert.equal(first.length, 32);
    assert.deepEqual(serviceKey(config), first, 'the same key on the next start');
    const file = join(dir, 'db', 'mamori.key');
    assert.equal(readFileSync(file, 'utf8').length, 43);
    assert.equal(statSync(file).mode & 0o077, 0);
    const configured = randomBytes(32);
    assert.deepEqual(
      serviceKey(
        loadConfig({ MAMORI_DATABASE_URL: config.databaseUrl, MAMORI_SECRET_KEY: configured.toString('base64url') }),
      ),
      configured,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
