import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateRisk, type RiskSignals } from '../../src/core/risk/evaluate.ts';
import { distanceKm } from '../../src/core/risk/geo.ts';
import { delayReason } from '../../src/core/risk/change-delay.ts';
import { riskPolicy } from '../../src/core/risk/policy.ts';

const policy = riskPolicy({ challengeAt: 30, denyAt: 80 });
const NOW = new Date('2026-03-02T05:46:00.000Z');
const HOUR = 3_600_000;
const TOKYO = { country: 'JP', lat: 36.2, lon: 138.25 };
const USA = { country: 'US', lat: 37.09, lon: -95.71 };
const KOREA = { country: 'KR', lat: 35.9, lon: 127.77 };

function signals(overrides: Partial<RiskSignals> = {}): RiskSignals {
  return {
    action: 'sign-in',
    now: NOW,
    device: 'known',
    location: TOKYO,
    knownCountries: ['JP'],
    lastSignIn: { at: new Date(NOW.getTime() - 48 * HOUR), location: TOKYO },
    failures: { account: 0, ip: 0, global: 0 },
    passwordBlocklisted: false,
    accountCreatedAt: new Date('2025-01-01T00:00:00.000Z'),
    recentSensitiveChanges: 0,
    ...overrides,
  };
}

const codes = (s: Partial<RiskSignals>) => evaluateRisk(signals(s), policy).reasons.map((r) => r.code);

test('the owner on a known browser at home is allowed with no reasons', () => {
  assert.deepEqual(evaluateRisk(signals(), policy), { score: 0, decision: 'allow', reasons: [] });
});

test("a new browser alone is challenged; an account's first browser alone is not", () => {
  const fresh = evaluateRisk(signals({ device: 'new' }), policy);
  assert.deepEqual([fresh.decision, fresh.score, fresh.reasons.map((r) => r.code)], ['challenge', 30, ['new-device']]);
  const first = evaluateRisk(signals({ device: 'first', knownCountries: [], lastSignIn: null }), policy);
  assert.deepEqual([first.decision, first.score], ['allow', 15]);
});

test('a new country counts only when the account has places on record and the address has a country', () => {
  assert.deepEqual(codes({ location: KOREA, lastSignIn: null }), ['new-country']);
  assert.deepEqual(codes({ location: KOREA, knownCountries: [], lastSignIn: null }), []);
  assert.deepEqual(codes({ location: null }), []);
});

test('impossible travel: Tokyo to the USA in two hours, but not in two days, and never between neighbours', () => {
  const twoHours = { at: new Date(NOW.getTime() - 2 * HOUR), location: TOKYO };
  const result = evaluateRisk(signals({ location: USA, knownCountries: ['JP'], lastSignIn: twoHours }), policy);
  assert.deepEqual(
    result.reasons.map((r) => r.code),
    ['new-country', 'impossible-travel'],
  );
  assert.match(result.reasons[1]?.detail ?? '', /JP → US, \d+ km in 2\.0 h/);
  assert.deepEqual(
    codes({
      location: USA,
      knownCountries: ['JP', 'US'],
      lastSignIn: { at: new Date(NOW.getTime() - 48 * HOUR), location: TOKYO },
    }),
    [],
  );
  const tenMinutes = new Date(NOW.getTime() - 10 * 60_000);
  assert.deepEqual(
    codes({ location: KOREA, knownCountries: ['JP', 'KR'], lastSignIn: { at: tenMinutes, location: TOKYO } }),
    ['impossible-travel'],
  );
  const belgium = { country: 'BE', lat: 50.5, lon: 4.47 };
  const netherlands = { country: 'NL', lat: 52.13, lon: 5.29 };
  assert.deepEqual(
    codes({ location: netherlands, knownCountries: ['BE', 'NL'], lastSignIn: { at: tenMinutes, location: belgium } }),
    [],
    'neighbours closer than the noise distance',
  );
});

test('failure velocity per account, per address and globally each weigh from their own threshold', () => {
  assert.deepEqual(codes({ device: 'new', failures: { account: 4, ip: 9, global: 199 } }), ['new-device']);
  assert.deepEqual(codes({ device: 'new', failures: { account: 5, ip: 10, global: 200 } }), [
    'new-device',
    'account-failures',
    'ip-failures',
    'global-failures',
  ]);
});

test('a known browser is not judged by a stuffing wave against the shop', () => {
  const wave = evaluateRisk(signals({ failures: { account: 40, ip: 0, global: 5_000 } }), policy);
  assert.deepEqual([wave.decision, wave.reasons], ['allow', []]);
});

test('a blocklisted password, a young account and a burst of changes each add their weight', () => {
  const result = evaluateRisk(
    signals({ passwordBlocklisted: true, accountCreatedAt: new Date(NOW.getTime() - HOUR), recentSensitiveChanges: 2 }),
    policy,
  );
  assert.deepEqual(
    result.reasons.map((r) => [r.code, r.weight]),
    [
      ['password-blocklisted', 20],
      ['young-account', 10],
      ['recent-changes', 15],
    ],
  );
  assert.equal(result.decision, 'challenge');
});

test('a stuffing source with the right password from a new browser in a new country is denied; the score stops at 100', () => {
  const result = evaluateRisk(
    signals({
      device: 'new',
      location: USA,
      lastSignIn: null,
      failures: { account: 6, ip: 50, global: 900 },
      passwordBlocklisted: true,
    }),
    policy,
  );
  assert.equal(result.decision, 'deny');
  assert.equal(result.score, 100);
});

test('thresholds come from the policy: 101 never challenges or denies', () => {
  const off = riskPolicy({ challengeAt: 101, denyAt: 101 });
  assert.equal(
    evaluateRisk(signals({ device: 'new', location: USA, failures: { account: 9, ip: 99, global: 999 } }), off)
      .decision,
    'allow',
  );
  const strict = riskPolicy({ challengeAt: 10, denyAt: 15 });
  assert.equal(evaluateRisk(signals({ device: 'first' }), strict).decision, 'deny');
});

test('great-circle distance: Tokyo–USA centroids are about 10,000 km apart', () => {
  const km = distanceKm(TOKYO, USA);
  assert.ok(km > 9_500 && km < 10_500, String(km));
  assert.equal(distanceKm(TOKYO, TOKYO), 0);
});

test("holds: young or challenged sessions are held, an established browser and the account's first are not, 0 turns holds off", () => {
  const day = 24 * HOUR;
  const base = {
    now: NOW,
    sessionCreatedAt: new Date(NOW.getTime() - HOUR),
    deviceFirstSeenAt: new Date(NOW.getTime() - HOUR),
    deviceIsAccountsFirst: false,
    signInChallenged: false,
    changeRisk: 'allow' as const,
  };
  assert.equal(delayReason(base, day), 'young-session');
  assert.equal(
    delayReason({ ...base, deviceFirstSeenAt: new Date(NOW.getTime() - 400 * day) }, day),
    null,
    'a long-known browser with a fresh session',
  );
  assert.equal(delayReason({ ...base, deviceIsAccountsFirst: true }, day), null);
  assert.equal(
    delayReason({ ...base, deviceFirstSeenAt: null, sessionCreatedAt: new Date(NOW.getTime() - 2 * day) }, day),
    null,
  );
  assert.equal(
    delayReason({ ...base, deviceFirstSeenAt: new Date(NOW.getTime() - 400 * day), signInChallenged: true }, day),
    'challenged-sign-in',
  );
  assert.equal(
    delayReason({ ...base, deviceFirstSeenAt: new Date(NOW.getTime() - 400 * day), changeRisk: 'challenge' }, day),
    'risky-change',
  );
  assert.equal(delayReason(base, 0), null);
});
