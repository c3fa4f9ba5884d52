import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  minimumPasswordLength,
  passwordContextWords,
  passwordLength,
  passwordLengthProblem,
  PASSWORD_MAX,
} from '../../src/core/password-policy.ts';

test('length is counted in code points, so an emoji or kanji is one character', () => {
  assert.equal(passwordLength('🔒🔒🔒'), 3);
  assert.equal(passwordLength('守り守り'), 4);
  assert.equal(passwordLength('é'), 1);
});

test('a password-only account needs 15 characters; with a second factor 8 (STANDARDS A1)', () => {
  assert.equal(minimumPasswordLength(false), 15);
  assert.equal(minimumPasswordLength(true), 8);
  assert.equal(passwordLengthProblem('a'.repeat(14), false), 'PASSWORD_TOO_SHORT');
  assert.equal(passwordLengthProblem('a'.repeat(15), false), null);
  assert.equal(passwordLengthProblem('a'.repeat(14), true), null);
  assert.equal(passwordLengthProblem('a'.repeat(7), true), 'PASSWORD_TOO_SHORT');
});

test('64 characters and more are allowed, up to a bounded maximum (STANDARDS A2)', () => {
  assert.equal(passwordLengthProblem('x'.repeat(64), false), null);
  assert.equal(passwordLengthProblem('x'.repeat(PASSWORD_MAX), false), null);
  assert.equal(passwordLengthProblem('x'.repeat(PASSWORD_MAX + 1), false), 'PASSWORD_TOO_LONG');
});

test('context words come from the shop name, the address and the name', () => {
  const words = passwordContextWords({
    shopName: 'Maple Market',
    email: 'taro.yamada@example.com',
    name: 'Taro Yamada',
  });
  for (const expected of ['maple market', 'maplemarket', 'taro.yamada', 'taro', 'yamada', 'example'])
    assert.ok(words.includes(expected), expected);
  assert.ok(!words.includes('com'));
});
