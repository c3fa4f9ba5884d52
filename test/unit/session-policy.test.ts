import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrivileged, needsTouch, sessionState, type SessionLimits } from '../../src/core/session-policy.ts';

const limits: SessionLimits = {
  idleMs: 60 * 60_000,
  absoluteMs: 24 * 3_600_000,
  privilegedMs: 15 * 60_000,
  touchIntervalMs: 60_000,
};
const t0 = new Date('2026-03-02T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const fresh = { createdAt: t0, lastSeenAt: t0, authenticatedAt: t0, revokedAt: null };

test('a session is active until its idle limit', () => {
  assert.equal(sessionState(fresh, at(limits.idleMs - 1), limits), 'active');
  assert.equal(sessionState(fresh, at(limits.idleMs), limits), 'idle-expired');
});

test('activity does not extend a session past its absolute limit', () => {
  const busy = { ...fresh, lastSeenAt: at(limits.absoluteMs - 1000) };
  assert.equal(sessionState(busy, at(limits.absoluteMs - 1), limits), 'active');
  assert.equal(sessionState(busy, at(limits.absoluteMs), limits), 'absolute-expired');
});

test('a re-authentication restarts the absolute limit', () => {
  const reauthed = { ...fresh, authenticatedAt: at(20 * 3_600_000), lastSeenAt: at(25 * 3_600_000) };
  assert.equal(sessionState(reauthed, at(25 * 3_600_000), limits), 'active');
});

test('a revoked session is never active', () => {
  assert.equal(sessionState({ ...fresh, revokedAt: t0 }, t0, limits), 'revoked');
});

test('privilege is measured from the last authentication, not from creation (STYLE 3)', () => {
  assert.equal(isPrivileged(fresh, at(15 * 60_000 - 1), limits), true);
  assert.equal(isPrivileged(fresh, at(15 * 60_000), limits), false);
  const old = { ...fresh, authenticatedAt: at(3_600_000) };
  assert.equal(isPrivileged(old, at(3_600_000 + 60_000), limits), true);
});

test('last-seen is written at most once a minute', () => {
  assert.equal(needsTouch(fresh, at(59_999), limits), false);
  assert.equal(needsTouch(fresh, at(60_000), limits), true);
});
