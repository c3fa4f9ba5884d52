import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { registerAndVerify, signIn } from '../support/flows.ts';
import { registerShop, shopSignsIn, startIssuer, type TestShop } from '../support/oidc.ts';
import { callApi, shopApiToken } from '../support/ssf.ts';
import { attackerTakesOver, emailChangedReportLink, reportWithDefaults, STORY_ENV } from '../support/story.ts';

const HOUR = 3_600_000;

/** GET /api/v1/accounts/{sub}/security (issue 15): what a shop's checkout asks before it ships. */
forEachStore('account security state for shops', (store) => {
  let m: TestMamori & { issuer: string };
  let shop: TestShop;
  let token: string;
  beforeEach(async () => {
    m = await startIssuer(store, STORY_ENV);
    shop = await registerShop(m);
    token = await shopApiToken(m.issuer, shop, 'account:read');
  });
  afterEach(async () => {
    await m.close();
  });

  /** The story has one account (its address is the attacker's for a while). */
  const ownerId = async () => (await m.deps.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow()).id;
  const security = (sub: string, as = token) => callApi(m.issuer, as, 'GET', `/api/v1/accounts/${sub}/security`);

  test('active with its holds, then locked with its incident while contained, recovery opening by the clock', async () => {
    await attackerTakesOver(m);
    const sub = await ownerId();
    const before = await security(sub);
    assert.equal(before.status, 200);
    const { holds, ...rest } = before.body as { holds: { irreversibleActionsUntil: string | null } };
    assert.deepEqual(rest, { sub, status: 'active', incident: null, lastContainmentAt: null });
    assert.ok(
      String(holds.irreversibleActionsUntil) > m.clock.now().toISOString(),
      'the attacker’s password change put irreversible actions on hold: the checkout sees it',
    );

    const statusPath = await reportWithDefaults(m, emailChangedReportLink(m));
    const contained = (await security(sub)).body as {
      status: string;
      incident: { state: string; recoveryOpensAt: string };
      lastContainmentAt: string;
    };
    assert.equal(contained.status, 'locked');
    assert.equal(contained.incident.state, 'waiting');
    assert.equal(contained.incident.recoveryOpensAt, new Date(m.clock.now().getTime() + 5 * HOUR).toISOString());
    assert.equal(contained.lastContainmentAt, m.clock.now().toISOString());

    m.clock.advance(5 * HOUR);
    assert.equal(((await security(sub)).body as { incident: { state: string } }).incident.state, 'recovery-open');
    assert.match(statusPath, /^\/incident\?token=/);
  });

  test('a partner shop does not see an account that never signed in to it; unknown, malformed and forbidden asks are refused', async () => {
    await registerAndVerify(m, 'hana@example.com');
    const sub = (await m.deps.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow()).id;
    const partner = await registerShop(m, { name: 'Partner shop', firstParty: false });
    const partnerToken = await shopApiToken(m.issuer, partner, 'account:read');
    assert.equal((await security(sub, partnerToken)).status, 404, 'not its customer');
    assert.equal((await security('00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await security('%00')).status, 400, 'a control character is malformed input');
    assert.equal((await security('x'.repeat(200))).status, 400);
    assert.equal((await security(sub, await shopApiToken(m.issuer, shop, 'ssf.read'))).status, 403, 'scope');
    assert.equal((await callApi(m.issuer, null, 'GET', `/api/v1/accounts/${sub}/security`)).status, 401);

    // A customer's own token through the shop is not the shop asking.
    const { client: browser } = await signIn(m, 'hana@example.com');
    const tokens = await shopSignsIn(m, shop, browser);
    assert.equal(
      (await security(sub, tokens.access_token)).status,
      401,
      'an opaque userinfo token is not an API token',
    );
    assert.equal((await security(sub)).status, 200, 'the store’s own shop sees every account');
  });
});
