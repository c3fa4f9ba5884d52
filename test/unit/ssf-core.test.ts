import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeRecord } from '../../src/core/change-kinds.ts';
import { eventForAudience, type StreamAudience } from '../../src/core/ssf/audience.ts';
import { containmentEvents, eventsForChange } from '../../src/core/ssf/change-events.ts';
import { EVENT_TYPES, securityEventClaims } from '../../src/core/ssf/security-events.ts';

const change = (kind: ChangeRecord['kind'], extra: Partial<ChangeRecord> = {}): ChangeRecord => ({
  id: 'c1',
  accountId: 'acct',
  seq: 1,
  kind,
  subjectId: null,
  before: null,
  after: null,
  actor: { type: 'customer', sessionId: null, deviceId: null, device: 'Safari', ip: '198.51.100.7', area: null },
  occurredAt: '2026-03-02T05:46:00.000Z',
  ...extra,
});

test('each security change of the account log is one event for the shops; the rest are none', () => {
  const names = (record: ChangeRecord) => eventsForChange(record).map((e) => e.event.name);
  assert.deepEqual(names(change('password-changed')), ['credential-change']);
  assert.deepEqual(names(change('password-reset')), ['credential-change']);
  assert.deepEqual(names(change('recovery-codes-renewed')), ['recovery-information-changed']);
  assert.deepEqual(names(change('password-disabled-after-failures')), ['account-credential-change-required']);
  assert.deepEqual(names(change('account-recovered', { subjectId: 'inc' })), ['account-enabled']);
  assert.deepEqual(names(change('account-contained', { subjectId: 'inc' })), [], 'sent when containment starts');
  assert.deepEqual(
    containmentEvents('acct', 'inc').map((e) => [e.event.name, e.txn]),
    [
      ['account-disabled', 'inc'],
      ['account-credential-change-required', 'inc'],
    ],
    'one incident, one txn',
  );
  for (const quiet of ['name-changed', 'address-added', 'new-device-sign-in', 'support-reply'] as const)
    assert.deepEqual(names(change(quiet)), [], quiet);
});

test('a passkey or an app, added or removed, says which and how', () => {
  assert.deepEqual(
    eventsForChange(change('second-factor-added', { after: { factor: 'passkey', name: 'Mac' } }))[0]?.event,
    {
      name: 'credential-change',
      accountId: 'acct',
      credentialType: 'fido2-platform',
      changeType: 'create',
    },
  );
  assert.deepEqual(eventsForChange(change('second-factor-removed', { before: { factor: 'totp' } }))[0]?.event, {
    name: 'credential-change',
    accountId: 'acct',
    credentialType: 'app',
    changeType: 'delete',
  });
});

test('an address changed or undone is identifier-changed about the old address; other undos are none', () => {
  const changed = eventsForChange(change('email-changed', { before: { email: 'a@x' }, after: { email: 'b@x' } }));
  assert.deepEqual(changed[0]?.event, {
    name: 'identifier-changed',
    accountId: 'acct',
    oldEmail: 'a@x',
    newEmail: 'b@x',
  });
  const undone = eventsForChange(change('change-undone', { before: { email: 'b@x' }, after: { email: 'a@x' } }));
  assert.deepEqual(undone[0]?.event, {
    name: 'identifier-changed',
    accountId: 'acct',
    oldEmail: 'b@x',
    newEmail: 'a@x',
  });
  assert.deepEqual(
    eventsForChange(change('change-undone', { before: { city: 'X' }, after: { undone: 'address-added' } })),
    [],
  );
});

test('a SET: sub_id not sub, no exp, one event, txn when given', () => {
  const claims = securityEventClaims({
    event: { name: 'identifier-changed', accountId: 'acct', oldEmail: 'a@x', newEmail: 'b@x' },
    issuer: 'https://id.example',
    audience: 'shop',
    jti: 'j1',
    occurredAtSeconds: 1000,
    txn: 'inc',
  });
  assert.deepEqual(claims, {
    iss: 'https://id.example',
    aud: 'shop',
    jti: 'j1',
    iat: 1000,
    txn: 'inc',
    sub_id: { format: 'email', email: 'a@x' },
    events: { [EVENT_TYPES['identifier-changed']]: { 'new-value': 'b@x' } },
  });
  const revoked = securityEventClaims({
    event: { name: 'session-revoked', accountId: 'acct', initiatingEntity: 'admin' },
    issuer: 'https://id.example',
    audience: 'shop',
    jti: 'j2',
    occurredAtSeconds: 1000,
  });
  assert.equal('txn' in revoked, false);
  assert.deepEqual(revoked.sub_id, { format: 'iss_sub', iss: 'https://id.example', sub: 'acct' });
  assert.deepEqual(revoked.events, {
    [EVENT_TYPES['session-revoked']]: { event_timestamp: 1000, initiating_entity: 'admin' },
  });
});

test('a partner hears only of its own customers, and of a changed address only what it was given', () => {
  const partner: StreamAudience = { firstParty: false, customer: true, emailGranted: false, removed: false };
  const changed = { name: 'identifier-changed', accountId: 'acct', oldEmail: 'a@x', newEmail: 'b@x' } as const;
  const disabled = { name: 'account-disabled', accountId: 'acct', reason: 'hijacking' } as const;
  const undo = {
    name: 'undo-requested',
    accountId: 'acct',
    clientId: 'shop',
    requestId: 'r1',
    action: 'hold-order',
    item: { type: 'order', id: 'o1' },
  } as const;
  assert.equal(eventForAudience(disabled, { ...partner, customer: false }), null, 'a stranger: nothing');
  assert.deepEqual(eventForAudience(disabled, partner), disabled);
  assert.deepEqual(eventForAudience(changed, partner), { name: 'identifier-changed', accountId: 'acct' });
  assert.deepEqual(eventForAudience(changed, { ...partner, emailGranted: true }), changed);
  assert.deepEqual(eventForAudience(changed, { ...partner, customer: false, firstParty: true }), changed, 'ALL');
  assert.equal(eventForAudience(disabled, { ...partner, firstParty: true, removed: true }), null, 'removed');
  assert.deepEqual(eventForAudience(undo, { ...partner, removed: true }), undo, 'its own report is still asked back');
  const claims = securityEventClaims({
    event: { name: 'identifier-changed', accountId: 'acct' },
    issuer: 'https://m.example',
    audience: 'shop',
    jti: 'j',
    occurredAtSeconds: 1,
  });
  assert.deepEqual(claims.sub_id, { format: 'iss_sub', iss: 'https://m.example', sub: 'acct' });
  assert.deepEqual(claims.events, { [EVENT_TYPES['identifier-changed']]: {} });
});
