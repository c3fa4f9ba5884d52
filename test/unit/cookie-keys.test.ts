import assert from 'node:assert/strict';
import { test } from 'node:test';
import Keygrip from 'keygrip';
import { CookieKeys } from '../../src/http/cookie-keys.ts';

const KEYS = ['current-key-Zm9vYmFy', 'older-key-YmF6cXV4'];
const VALUES = ['_interaction=abc', '_session=ñ-日本語', '', 'x'.repeat(500)];

test('signs as Keygrip does, so cookies signed before keep reading and Keygrip reads ours', () => {
  const ours = new CookieKeys(KEYS);
  const theirs = new Keygrip(KEYS);
  for (const data of VALUES) {
    assert.equal(ours.sign(data), theirs.sign(data), data);
    assert.equal(ours.index(data, theirs.sign(data)), 0);
    assert.equal(theirs.index(data, ours.sign(data)), 0);
  }
});

test('a signature of the older key still reads, and says which key made it', () => {
  const older = new Keygrip([KEYS[1] as string]);
  const ours = new CookieKeys(KEYS);
  assert.equal(ours.index('_session=1', older.sign('_session=1')), 1);
  assert.equal(ours.verify('_session=1', older.sign('_session=1')), true);
});

test('intruder: a forged, altered, shortened or foreign signature reads as no key', () => {
  const ours = new CookieKeys(KEYS);
  const good = ours.sign('_session=victim');
  const flipped = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
  for (const digest of [
    '',
    'forged',
    flipped,
    good.slice(0, -1),
    `${good}A`,
    new Keygrip(['another']).sign('_session=victim'),
  ])
    assert.equal(ours.index('_session=victim', digest), -1, digest);
  assert.equal(ours.index('_session=intruder', good), -1, "another cookie's value under the victim's signature");
  assert.throws(() => new CookieKeys([]));
});

test('intruder: a signature remembered from before is compared like a fresh one; another value is signed anew', () => {
  const ours = new CookieKeys(KEYS);
  const theirs = new Keygrip(KEYS);
  const good = ours.sign('_interaction=uid-1');
  assert.equal(ours.index('_interaction=uid-1', good), 0, 'the remembered signature still reads');
  assert.equal(ours.index('_interaction=uid-1', `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`), -1);
  assert.equal(ours.index('_interaction=uid-2', good), -1, 'a remembered signature vouches for its own value only');
  // Well past what is remembered: every value still signs as Keygrip does, the first ones included.
  for (let i = 0; i < 10_000; i += 1) assert.equal(ours.sign(`_session=${i}`), theirs.sign(`_session=${i}`));
  assert.equal(ours.index('_interaction=uid-1', good), 0);
  assert.equal(ours.index('_session=0', theirs.sign('_session=0')), 0);
});

test('intruder: cookie values a request brings to be checked are never remembered, however many and long', () => {
  const ours = new CookieKeys(KEYS);
  ours.sign('_interaction=uid-1');
  for (let i = 0; i < 5_000; i += 1) assert.equal(ours.index(`_session=${i}${'x'.repeat(8_000)}`, 'forged'), -1);
  assert.equal(ours.remembered, 1, 'only the signature the provider made');
});
