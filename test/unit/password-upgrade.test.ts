import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heldForPasswordUpgrade, passwordUpgradeFor } from '../../src/core/password-upgrade.ts';

test('a password on the common list must be replaced; one below the policy, or from a weak hash, is asked about', () => {
  assert.equal(passwordUpgradeFor({ onCommonList: true, meetsPolicy: false, fromWeakHash: false }), 'required');
  assert.equal(passwordUpgradeFor({ onCommonList: true, meetsPolicy: true, fromWeakHash: true }), 'required');
  assert.equal(passwordUpgradeFor({ onCommonList: false, meetsPolicy: false, fromWeakHash: false }), 'suggested');
  assert.equal(passwordUpgradeFor({ onCommonList: false, meetsPolicy: true, fromWeakHash: true }), 'suggested');
  assert.equal(passwordUpgradeFor({ onCommonList: false, meetsPolicy: true, fromWeakHash: false }), null);
});

test('a required upgrade holds every use of the session; a suggestion only the next page shown', () => {
  for (const method of ['GET', 'POST'])
    for (const path of ['/account', '/account/email', '/account/passkeys', '/interaction/abc'])
      assert.equal(heldForPasswordUpgrade('required', method, path), true, `${method} ${path}`);
  assert.equal(heldForPasswordUpgrade('suggested', 'GET', '/account'), true);
  assert.equal(heldForPasswordUpgrade('suggested', 'GET', '/interaction/abc'), true);
  assert.equal(heldForPasswordUpgrade('suggested', 'GET', '/account/passkeys'), false, 'a passkey answers it');
  assert.equal(heldForPasswordUpgrade('suggested', 'POST', '/account/passkeys'), false);
  for (const path of ['/password-upgrade', '/sign-out', '/accounts-like', '/interactions', '/static/app.css'])
    assert.equal(heldForPasswordUpgrade('required', 'POST', path), false, path);
  assert.equal(heldForPasswordUpgrade(null, 'GET', '/account'), false);
});
