import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeActor, ChangeRecord } from '../../src/core/change-kinds.ts';
import { buildChecklist } from '../../src/core/incident/checklist.ts';
import { planUndo, withSelection } from '../../src/core/incident/undo-plan.ts';

const owner: ChangeActor = {
  type: 'customer',
  sessionId: 's-owner',
  deviceId: 'd-owner',
  device: 'Safari · macOS',
  ip: '198.51.100.7',
  area: null,
};
const attacker: ChangeActor = {
  type: 'customer',
  sessionId: 's-attacker',
  deviceId: 'd-attacker',
  device: 'Chrome · Windows',
  ip: '203.0.113.9',
  area: null,
};
let seq = 0;
const change = (
  kind: ChangeRecord['kind'],
  actor: ChangeActor,
  at: string,
  extra: Partial<ChangeRecord> = {},
): ChangeRecord => ({
  id: `c${++seq}`,
  accountId: 'a1',
  seq,
  kind,
  subjectId: null,
  before: null,
  after: null,
  actor,
  occurredAt: `2026-03-02T${at}:00.000Z`,
  ...extra,
});
const suspects = {
  compromiseAt: '2026-03-02T05:40:00.000Z',
  sessionIds: new Set(['s-attacker']),
  deviceIds: new Set(['d-attacker']),
};

test('the story: the attacker’s changes are inverted newest first; the owner’s earlier ones are left alone', () => {
  seq = 0;
  const log = [
    change('address-added', owner, '04:00', { subjectId: 'addr-home' }),
    change('new-device-sign-in', attacker, '05:40'),
    change('email-changed', attacker, '05:46', {
      before: { email: 'taro@example.com' },
      after: { email: 'evil@example.net' },
    }),
    change('password-changed', attacker, '05:47'),
    change('address-added', attacker, '05:48', { subjectId: 'addr-drop' }),
    change('payment-method-removed', attacker, '05:49', {
      subjectId: 'pm-1',
      before: { brand: 'visa', last4: '4242' },
    }),
  ];
  const plan = planUndo(log, suspects);
  assert.deepEqual(
    plan.map((s) => [s.kind, s.action, s.selected]),
    [
      ['payment-method-removed', 'restore-payment-method', true],
      ['address-added', 'remove-address', true],
      ['password-changed', 'none', false],
      ['email-changed', 'restore-email', true],
      ['new-device-sign-in', 'none', false],
    ],
  );
  assert.deepEqual(plan[3]?.restore, { email: 'taro@example.com' });
  assert.equal(plan[2]?.note, 'password-disabled');
  assert.deepEqual(buildChecklist(plan), [
    'reenter-payment-methods',
    'confirm-addresses',
    'review-orders',
    'review-activity',
  ]);
});

test('a later change to the same thing from the owner’s trusted device is a conflict: flagged and unticked', () => {
  seq = 0;
  const log = [
    change('phone-changed', attacker, '05:46', {
      before: { phone: '+81 90 1111 2222' },
      after: { phone: '+1 555 0100' },
    }),
    change('phone-changed', owner, '06:10', { before: { phone: '+1 555 0100' }, after: { phone: '+81 90 3333 4444' } }),
    change('name-changed', attacker, '05:50', { before: { name: 'Taro' }, after: { name: 'X' } }),
  ];
  const plan = planUndo(log, suspects);
  const phone = plan.find((s) => s.kind === 'phone-changed');
  assert.equal(phone?.conflict, 'changed-later-by-owner');
  assert.equal(phone?.selected, false);
  assert.equal(plan.find((s) => s.kind === 'name-changed')?.selected, true);
  assert.equal(plan.length, 2, 'the owner’s own change is not in the plan');
});

test('changes before the compromise point are never undone, even by the same device', () => {
  seq = 0;
  const log = [
    change('address-added', attacker, '05:00', { subjectId: 'old' }),
    change('address-added', attacker, '05:45', { subjectId: 'new' }),
  ];
  assert.deepEqual(
    planUndo(log, suspects).map((s) => s.subjectId),
    ['new'],
  );
});

test('the reporter may untick; conflicts and informational steps cannot be ticked', () => {
  seq = 0;
  const log = [
    change('email-changed', attacker, '05:46', { before: { email: 'a@x' }, after: { email: 'b@x' } }),
    change('address-added', attacker, '05:48', { subjectId: 'addr' }),
    change('password-changed', attacker, '05:49'),
  ];
  const plan = planUndo(log, suspects);
  const chosen = withSelection(plan, new Set([plan[1]?.changeId ?? '', plan[0]?.changeId ?? '']));
  assert.deepEqual(
    chosen.map((s) => s.selected),
    [false, true, false],
  );
});

test('recovery codes an intruder renewed are planned back; the owner renewing them later is a conflict', () => {
  seq = 0;
  const renewal = change('recovery-codes-renewed', attacker, '05:50', {
    after: { issued_at: '2026-03-02T05:50:00.000Z' },
  });
  assert.deepEqual(
    planUndo([renewal], suspects).map((s) => [s.action, s.selected, s.conflict]),
    [['restore-recovery-codes', true, null]],
  );
  const ownerAgain = change('recovery-codes-renewed', owner, '06:20', {
    after: { issued_at: '2026-03-02T06:20:00.000Z' },
  });
  assert.deepEqual(
    planUndo([renewal, ownerAgain], suspects).map((s) => [s.action, s.selected, s.conflict]),
    [['restore-recovery-codes', false, 'changed-later-by-owner']],
  );
});

test('one authenticator app at a time: the owner setting one up after the intrusion flags the restore of the old one; passkeys stay apart', () => {
  seq = 0;
  const log = [
    change('second-factor-removed', attacker, '05:45', { subjectId: 'totp-owner', before: { factor: 'totp' } }),
    change('second-factor-removed', attacker, '05:46', {
      subjectId: 'pk-owner',
      before: { factor: 'passkey', name: 'Phone' },
    }),
    change('second-factor-added', owner, '06:30', { subjectId: 'totp-new', after: { factor: 'totp' } }),
    change('second-factor-added', owner, '06:31', {
      subjectId: 'pk-new',
      after: { factor: 'passkey', name: 'Laptop' },
    }),
  ];
  const plan = planUndo(log, suspects);
  assert.deepEqual(
    plan.map((s) => [s.subjectId, s.action, s.selected, s.conflict]),
    [
      ['pk-owner', 'restore-second-factor', true, null],
      ['totp-owner', 'restore-second-factor', false, 'changed-later-by-owner'],
    ],
  );
});

test('shop changes: the intruder’s order is asked of the shop and ticked; the owner’s is left alone; one with no sign-in named is listed but never ticked', () => {
  seq = 0;
  const nobody: ChangeActor = { ...attacker, sessionId: null, deviceId: null };
  const order = (id: string) => ({ subjectId: `shop-1:${id}`, after: { client_id: 'shop-1', item_id: id } });
  const log = [
    change('shop-order-placed', owner, '06:00', order('1041')),
    change('shop-order-placed', attacker, '06:10', order('1042')),
    change('shop-payment-method-saved', attacker, '06:11', order('card-9')),
    change('shop-gift-card-redeemed', nobody, '06:20', order('GC-77')),
    change('shop-order-placed', nobody, '05:00', order('older')),
  ];
  const steps = planUndo(log, suspects);
  assert.deepEqual(
    steps.map((s) => [s.after?.item_id, s.action, s.selected, s.note]),
    [
      ['GC-77', 'shop-reverse-redemption', false, 'origin-unknown'],
      ['card-9', 'shop-remove-payment-method', true, null],
      ['1042', 'shop-hold-order', true, null],
    ],
  );
  // The reporter may tick what nobody could attribute; nothing with a conflict.
  const chosen = withSelection(steps, new Set(steps.map((s) => s.changeId)));
  assert.ok(chosen.every((s) => s.selected));
  assert.deepEqual(buildChecklist(chosen), ['reenter-payment-methods', 'review-orders', 'review-activity']);
});
