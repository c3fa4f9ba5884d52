import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addressesHeldSince,
  addressHeldAt,
  judgeReporter,
  ownerAddresses,
  type AddressHistory,
} from '../../src/core/incident/standing.ts';

const COMPROMISE = '2026-03-05T05:46:00.000Z';
const suspects = { compromiseAt: COMPROMISE, sessionIds: new Set(['s-intruder']), deviceIds: new Set(['d-intruder']) };
// The owner moved from old@ to taro@ two days before the attack; the intruder then moved it to evil@.
const history: AddressHistory = {
  current: 'evil@example.net',
  changes: [
    { at: '2026-03-05T05:48:00.000Z', before: 'taro@example.com', after: 'evil@example.net' },
    { at: '2026-03-03T01:00:00.000Z', before: 'old@example.com', after: 'taro@example.com' },
  ],
};

test('the address held at the compromise point is the one the first later change replaced', () => {
  assert.equal(addressHeldAt(history, COMPROMISE), 'taro@example.com');
  assert.equal(addressHeldAt(history, '2026-03-06T00:00:00.000Z'), 'evil@example.net');
  assert.equal(addressHeldAt({ current: 'a@x', changes: [] }, COMPROMISE), 'a@x');
});

test("the owner's addresses: the one held then and those replaced in the week before; the intruder's is not one", () => {
  assert.deepEqual([...ownerAddresses(history, COMPROMISE)].sort(), ['old@example.com', 'taro@example.com']);
  assert.deepEqual([...addressesHeldSince(history, COMPROMISE)].sort(), ['evil@example.net', 'taro@example.com']);
});

test("a report is the owner's only through an owner address, from no suspect session or browser", () => {
  const owners = ownerAddresses(history, COMPROMISE);
  const clean = { sessionId: null, deviceId: null, deviceFirstSeenAt: null };
  assert.equal(judgeReporter({ ...clean, address: 'taro@example.com' }, owners, suspects).standing, 'owner');
  assert.equal(
    judgeReporter(
      { ...clean, address: 'old@example.com', deviceId: 'd-owner', deviceFirstSeenAt: '2026-01-01T00:00:00.000Z' },
      owners,
      suspects,
    ).standing,
    'owner',
  );
  assert.deepEqual(judgeReporter({ ...clean, address: 'evil@example.net' }, owners, suspects).reasons, [
    'address-after-compromise',
  ]);
  assert.deepEqual(judgeReporter({ ...clean, address: null }, owners, suspects).reasons, ['address-unknown']);
  // The owner's own link, clicked in the intruder's signed-in browser (a forwarded mail), is not the owner's word.
  assert.deepEqual(
    judgeReporter(
      { address: 'taro@example.com', sessionId: 's-intruder', deviceId: 'd-intruder', deviceFirstSeenAt: COMPROMISE },
      owners,
      suspects,
    ).reasons,
    ['suspect-session', 'suspect-device'],
  );
  // A browser first seen after the compromise point is a newcomer even if it made no change.
  assert.deepEqual(
    judgeReporter(
      { ...clean, address: 'taro@example.com', deviceId: 'd-new', deviceFirstSeenAt: '2026-03-05T06:00:00.000Z' },
      owners,
      suspects,
    ).reasons,
    ['suspect-device'],
  );
});
