import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import * as client from 'openid-client';
import { SHOP_CUSTOMER_ID_CLAIM } from '../../src/core/oidc/claims.ts';
import { findAccountByEmail } from '../../src/store/accounts.ts';
import { insertShopCustomerIds } from '../../src/store/imported-accounts.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { registerAndVerify, signIn } from '../support/flows.ts';
import { registerShop, shopSignsIn, startIssuer } from '../support/oidc.ts';

const EMAIL = 'hana@example.com';

/** Issue 26: the importing shop finds its own customer; another shop cannot read that shop's id. */
forEachStore('Imported accounts: the shop customer id claim', (store) => {
  let m: TestMamori & { issuer: string };
  beforeEach(async () => {
    m = await startIssuer(store);
  });
  afterEach(async () => {
    await m.close();
  });

  test('only the importing shop gets its customer id, in the ID token and userinfo; another shop gets none', async () => {
    await registerAndVerify(m, EMAIL);
    const { client: browser } = await signIn(m, EMAIL);
    const importer = await registerShop(m);
    const other = await registerShop(m, { name: 'Other shop' });
    const account = await findAccountByEmail(m.deps.db, EMAIL);
    assert.ok(account);
    await insertShopCustomerIds(m.deps.db, [
      {
        client_id: importer.clientId,
        shop_customer_id: 'wc-1042',
        account_id: account.id,
        imported_at: new Date(0).toISOString(),
      },
    ]);

    const mine = await shopSignsIn(m, importer, browser);
    const claims = mine.claims();
    assert.equal(claims?.[SHOP_CUSTOMER_ID_CLAIM], 'wc-1042');
    const info = await client.fetchUserInfo(importer.config, mine.access_token, String(claims?.sub));
    assert.equal(info[SHOP_CUSTOMER_ID_CLAIM], 'wc-1042');

    const theirs = await shopSignsIn(m, other, browser);
    const otherClaims = theirs.claims();
    assert.equal(otherClaims?.[SHOP_CUSTOMER_ID_CLAIM], undefined, 'another shop cannot read the id');
    const otherInfo = await client.fetchUserInfo(other.config, theirs.access_token, String(otherClaims?.sub));
    assert.equal(otherInfo[SHOP_CUSTOMER_ID_CLAIM], undefined);
  });
});
