import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeProof, type ProofKind } from '../../src/core/incident/standing.ts';

const COMPROMISE = '2026-03-05T05:46:00.000Z';
const KINDS: ProofKind[] = ['passkey', 'totp', 'recovery-code'];

test('a factor the owner held before the compromise point proves her, even if the intruder removed it', () => {
  for (const kind of KINDS) {
    assert.deepEqual(judgeProof({ kind, heldSince: '2026-03-03T09:00:00.000Z', removedAt: null }, COMPROMISE), {
      proves: true,
    });
    // The intruder removed it two minutes after signing in: it was hers all the same.
    assert.deepEqual(
      judgeProof({ kind, heldSince: '2026-03-03T09:00:00.000Z', removedAt: '2026-03-05T05:48:00.000Z' }, COMPROMISE),
      { proves: true },
    );
  }
});

test('the intruder’s own factor never proves, whatever he does with it', () => {
  for (const kind of KINDS) {
    for (const heldSince of ['2026-03-05T05:47:00.000Z', '2026-03-06T00:00:00.000Z'])
      for (const removedAt of [null, '2026-03-05T06:00:00.000Z'])
        assert.deepEqual(judgeProof({ kind, heldSince, removedAt }, COMPROMISE), {
          proves: false,
          reason: 'added-after-compromise',
        });
  }
});

test('added at the very compromise point is after it: the boundary belongs to the intruder', () => {
  assert.deepEqual(judgeProof({ kind: 'passkey', heldSince: COMPROMISE, removedAt: null }, COMPROMISE), {
    proves: false,
    reason: 'added-after-compromise',
  });
  assert.deepEqual(
    judgeProof({ kind: 'totp', heldSince: '2026-03-05T05:45:59.999Z', removedAt: COMPROMISE }, COMPROMISE),
    { proves: true },
  );
});

test('a factor the owner gave up before the intrusion is not one she held then', () => {
  assert.deepEqual(
    judgeProof(
      { kind: 'recovery-code', heldSince: '2026-01-01T00:00:00.000Z', removedAt: '2026-02-01T00:00:00.000Z' },
      COMPROMISE,
    ),
    { proves: false, reason: 'gone-before-compromise' },
  );
});
