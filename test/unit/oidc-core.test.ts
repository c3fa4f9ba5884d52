import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACR_AAL1,
  ACR_AAL2,
  assuranceLevel,
  authenticationMethods,
  type SignInFactor,
} from '../../src/core/oidc/authentication-methods.ts';
import { clientUriProblem } from '../../src/core/oidc/client-uris.ts';
import { BACKCHANNEL_LOGOUT_EVENT, logoutTokenClaims } from '../../src/core/oidc/logout-token.ts';
import { couldBeIssuedId } from '../../src/core/oidc/lookup-keys.ts';

test('amr and acr say what a sign-in proved; a mailed code is one factor (AAL1)', () => {
  const cases: [SignInFactor, string[], string][] = [
    ['password', ['pwd'], ACR_AAL1],
    ['mailed-code', ['pwd', 'otp'], ACR_AAL1],
    ['second-factor', ['pwd', 'otp', 'mfa'], ACR_AAL2],
    ['passkey', ['hwk', 'user', 'mfa'], ACR_AAL2],
    ['synced-passkey', ['swk', 'user', 'mfa'], ACR_AAL2],
    ['password+synced-passkey', ['pwd', 'swk', 'mfa'], ACR_AAL2],
  ];
  for (const [factor, amr, acr] of cases) {
    assert.deepEqual(authenticationMethods(factor), amr, factor);
    assert.equal(assuranceLevel(authenticationMethods(factor)), acr, factor);
  }
});

test('shop URIs: absolute, plain http(s); https in production except loopback', () => {
  assert.equal(clientUriProblem('https://shop.example/callback', true), null);
  assert.equal(clientUriProblem('http://localhost:3001/callback', true), null);
  assert.equal(clientUriProblem('http://127.0.0.1/cb', true), null);
  assert.match(String(clientUriProblem('http://shop.example/callback', true)), /https is required/);
  assert.equal(clientUriProblem('http://shop.example/callback', false), null);
  assert.match(String(clientUriProblem('/callback', false)), /absolute/);
  assert.match(String(clientUriProblem('javascript:alert(1)', false)), /http\(s\)/);
  assert.match(String(clientUriProblem('https://shop.example/cb#x', false)), /fragment/);
  assert.match(String(clientUriProblem('https://shop.example/cb#', false)), /fragment/);
  assert.match(String(clientUriProblem('https://user:pw@shop.example/cb', false)), /credentials/);
});

test('a logout token: sub, events, jti, two minutes; sid only when one session ended; never a nonce', () => {
  const every = logoutTokenClaims({ clientId: 'shop', sub: 'acct', jti: 'j1' }, 'https://id.example', 1000);
  assert.deepEqual(every, {
    iss: 'https://id.example',
    aud: 'shop',
    iat: 1000,
    exp: 1120,
    jti: 'j1',
    sub: 'acct',
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  });
  const one = logoutTokenClaims({ clientId: 'shop', sub: 'acct', sid: 's1', jti: 'j2' }, 'https://id.example', 1000);
  assert.equal(one.sid, 's1');
  assert.equal('nonce' in one, false);
});

test('an id from a request is looked up only when it could have been issued', () => {
  assert.equal(couldBeIssuedId('Zx3_-abcDEF0123456789abcdefghijklmnopqrstuv'), true);
  assert.equal(couldBeIssuedId(''), false);
  assert.equal(couldBeIssuedId('abc\u0000'), false, 'PostgreSQL refuses NUL in text');
  assert.equal(couldBeIssuedId('abc\r\n'), false);
  assert.equal(couldBeIssuedId('a'.repeat(513)), false);
  assert.equal(couldBeIssuedId('a'.repeat(512)), true);
});
