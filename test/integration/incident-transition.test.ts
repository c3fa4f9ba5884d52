import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { DomainError } from '../../src/core/errors.ts';
import { moveIncident } from '../../src/services/incidents/transition.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { attackerTakesOver, emailChangedReportLink, reportWithDefaults, STORY_ENV } from '../support/story.ts';

forEachStore('incident transitions', (store) => {
  let m: TestMamori;
  let incidentId: string;
  beforeEach(async () => {
    m = await startMamori(store, STORY_ENV);
    await attackerTakesOver(m);
    await reportWithDefaults(m, emailChangedReportLink(m));
    incidentId = (await m.deps.db.selectFrom('incidents').select('id').executeTakeFirstOrThrow()).id;
  });
  afterEach(async () => {
    await m.close();
  });

  const stateNow = async () =>
    (await m.deps.db.selectFrom('incidents').select('state').executeTakeFirstOrThrow()).state;

  test('an event the state table does not allow is a typed error naming it, and changes nothing', async () => {
    const refused = await m.deps.db
      .transaction()
      .execute((trx) => moveIncident(trx, incidentId, 'recover'))
      .then(
        () => null,
        (error: unknown) => error,
      );
    assert.ok(refused instanceof DomainError);
    assert.equal(refused.code, 'INCIDENT_STATE');
    assert.equal(refused.details.reason, 'an incident cannot recover when it is waiting');
    assert.equal(await stateNow(), 'waiting');
  });

  test('two actions at once: exactly one moves the incident', async () => {
    const attempts = await Promise.allSettled([
      m.deps.db.transaction().execute((trx) => moveIncident(trx, incidentId, 'object')),
      m.deps.db.transaction().execute((trx) => moveIncident(trx, incidentId, 'wait-elapsed')),
    ]);
    assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 1);
    const rejected = attempts.find((a) => a.status === 'rejected');
    assert.ok(
      rejected?.status === 'rejected' &&
        rejected.reason instanceof DomainError &&
        rejected.reason.code === 'INCIDENT_STATE',
    );
    assert.ok(['disputed', 'recovery-open'].includes(await stateNow()));
  });
});
