import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { describe, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { chromiumUnavailable } from '../support/browser.ts';
import { exampleShopBeside, signInAtShop } from '../support/example-shop-beside.ts';
import {
  OWNER,
  OWNER_PASSWORD,
  ownerRecoversInBrowser,
  ownerRegistersInBrowser,
  storyInChromium,
} from '../support/browser-story.ts';

/**
 * Issue 14 in Chromium: the example shop signs in through Mamori; the attacker signs in to the shop with
 * the stolen password; the owner contains from the notice, and the shop is contained with Mamori.
 */
describe('a shop signed in through Mamori, in Chromium', { skip: chromiumUnavailable ?? false }, () => {
  const world = storyInChromium();
  const shop = exampleShopBeside(world);

  test('the attacker’s order to a new address is announced; one click contains, the shop holds that order and the owner sees it held; the attacker is signed out, the owner signs in again after recovery', async () => {
    const { server, browser, inbox } = world;
    const { context: ownerContext, owner } = await ownerRegistersInBrowser(browser, server, inbox);
    await signInAtShop(owner, shop.url, OWNER_PASSWORD);
    // The owner's own order home, from the browser the account was opened with: nothing to announce.
    await owner.getByLabel('Item').fill('Green tea 200 g');
    await owner.getByLabel('Amount (yen)').fill('1800');
    await owner.getByLabel('Delivery address').fill('1-2-3 Marunouchi, Chiyoda');
    await owner.getByRole('button', { name: 'Place order' }).click();
    await owner.getByText('#1 Green tea 200 g → 1-2-3 Marunouchi, Chiyoda · ¥1,800').waitFor();
    server.clock.advance(3 * 24 * 3_600_000);

    // Day 3: the attacker, in another browser, signs in to the shop with the stolen password and orders
    // to a new address with the card the shop keeps on file.
    const attackerContext = await browser.newContext({ locale: 'en-US' });
    const attacker = await attackerContext.newPage();
    await signInAtShop(attacker, shop.url, OWNER_PASSWORD);
    await attacker.getByLabel('Item').fill('Gift card 50,000 yen');
    await attacker.getByLabel('Amount (yen)').fill('50000');
    await attacker.getByLabel('Delivery address').fill('Drop, 9-9-9 Chiyoda');
    assert.match(await attacker.getByLabel('Pay with').innerText(), /VISA •••• 4242/);
    await attacker.getByRole('button', { name: 'Place order' }).click();
    await attacker.getByText('#2 Gift card 50,000 yen → Drop, 9-9-9 Chiyoda · ¥50,000').waitFor();
    const shopDb = new Database(shop.databaseFile, { readonly: true });
    const stolenRefresh = (
      shopDb.prepare('SELECT refresh_token FROM sessions ORDER BY created_at DESC LIMIT 1').get() as {
        refresh_token: string;
      }
    ).refresh_token;
    shopDb.close();

    // The owner's notice of that order: one click contains.
    await server.worker.runOnce();
    await owner.goto(
      inbox.link(OWNER, '/report', /An order to a new address was placed with your Maple Market account/),
    );
    await owner.getByRole('heading', { name: 'Was this you?' }).waitFor();
    await owner.getByText('The shop will be asked to hold this order').waitFor();
    await owner.getByRole('button', { name: /It wasn't me/ }).click();
    await owner.getByTestId('incident-state').waitFor();
    // The shop hears (account-disabled, and the hold for order #2), holds it and answers; the owner sees it.
    await server.worker.runOnce();
    await owner.reload();
    await owner
      .getByRole('region', { name: 'What was undone' })
      .getByText(/Order #2: Held by the shop/)
      .waitFor();
    await owner.getByRole('region', { name: 'Timeline' }).getByText('Order #2: Held by the shop').waitFor();
    await owner.screenshot({ path: 'test-results/shop-order-held.png', fullPage: true }).catch(() => undefined);

    // The attacker's next shop page is signed out, and the refresh token they held is refused.
    await attacker.goto(shop.url);
    await attacker.getByRole('heading', { name: 'Welcome' }).waitFor();
    const config = await oidc.discovery(new URL(server.url), shop.clientId, shop.clientSecret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    await assert.rejects(
      oidc.refreshTokenGrant(config, stolenRefresh),
      (error: { error?: string }) => error.error === 'invalid_grant',
    );
    // So was the owner's own shop session (every session of the account ends at containment).
    await owner.goto(shop.url);
    await owner.getByRole('heading', { name: 'Welcome' }).waitFor();

    // After the wait the owner recovers and signs in to the shop again.
    server.clock.advance(5 * 3_600_000);
    await ownerRecoversInBrowser(owner, server, inbox, 'fresh start lantern meadow');
    await signInAtShop(owner, shop.url, 'fresh start lantern meadow');
    // The shop held the attacker's order it was asked about, and only that one.
    await owner.getByText('#2 Gift card 50,000 yen → Drop, 9-9-9 Chiyoda · ¥50,000 (held for your security').waitFor();
    assert.equal(
      await owner.getByText('#1 Green tea 200 g → 1-2-3 Marunouchi, Chiyoda · ¥1,800', { exact: true }).count(),
      1,
    );
    await owner.screenshot({ path: 'test-results/shop-after-recovery.png', fullPage: true }).catch(() => undefined);
    await ownerContext.close();
    await attackerContext.close();
  });

  test('the shop refuses a logout token or a security event Mamori did not sign: nothing is held, nobody signed out', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const before = new Database(shop.databaseFile, { readonly: true });
    const signedIn = before.prepare('SELECT sub FROM sessions').all() as { sub: string }[];
    before.close();
    assert.ok(signedIn.length > 0, 'the owner is signed in to the shop after the story');
    const forgedLogout = await new SignJWT({
      iss: world.server.url,
      aud: shop.clientId,
      jti: 'forged-logout',
      iat: Math.floor(world.server.clock.now().getTime() / 1000),
      sub: signedIn[0]?.sub,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'not-mamoris', typ: 'logout+jwt' })
      .sign(privateKey);
    const logout = await fetch(`${shop.url}/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: forgedLogout }),
    });
    assert.equal(logout.status, 400);

    const forged = await new SignJWT({
      iss: world.server.url,
      aud: shop.clientId,
      jti: 'forged-1',
      iat: Math.floor(world.server.clock.now().getTime() / 1000),
      sub_id: { format: 'iss_sub', iss: world.server.url, sub: 'some-customer' },
      events: { 'https://schemas.openid.net/secevent/risc/event-type/account-disabled': { reason: 'hijacking' } },
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'not-mamoris', typ: 'secevent+jwt' })
      .sign(privateKey);
    const res = await fetch(`${shop.url}/security-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/secevent+jwt' },
      body: forged,
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { err: string }).err, 'invalid_key');
    // A forged request to hold the owner's own order (#1), with an answer endpoint of the forger's: refused, nothing held or sent.
    const forgedUndo = await new SignJWT({
      iss: world.server.url,
      aud: shop.clientId,
      jti: 'forged-2',
      iat: Math.floor(world.server.clock.now().getTime() / 1000),
      sub_id: { format: 'iss_sub', iss: world.server.url, sub: signedIn[0]?.sub },
      events: {
        [`${world.server.url}/secevent/event-type/undo-requested`]: {
          request_id: 'forged-request',
          action: 'hold-order',
          item: { type: 'order', id: '1' },
          answer_endpoint: 'http://127.0.0.1:9/collect',
        },
      },
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'not-mamoris', typ: 'secevent+jwt' })
      .sign(privateKey);
    const undoRes = await fetch(`${shop.url}/security-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/secevent+jwt' },
      body: forgedUndo,
    });
    assert.equal(undoRes.status, 400);
    const shopDb = new Database(shop.databaseFile, { readonly: true });
    assert.equal(
      (shopDb.prepare('SELECT status FROM orders WHERE rowid = 1').get() as { status: string }).status,
      'placed',
    );
    assert.equal(shopDb.prepare('SELECT 1 FROM undo_answers WHERE request_id = ?').get('forged-request'), undefined);
    assert.equal(shopDb.prepare('SELECT 1 FROM account_holds WHERE sub = ?').get('some-customer'), undefined);
    assert.equal(shopDb.prepare('SELECT 1 FROM security_events_seen WHERE jti = ?').get('forged-1'), undefined);
    assert.equal(
      (shopDb.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n,
      signedIn.length,
      'nobody signed out',
    );
    shopDb.close();
  });
});
