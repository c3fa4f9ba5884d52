import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { attackerTakesOver, ownerSignsUp } from '../../../src/cli/demo/story.ts';
import type { TestMamori } from '../../../test/support/harness.ts';
import { listenOnLoopback } from '../../../test/support/loopback.ts';
import { logoutReceiver, registerShop, shopSignsIn, startIssuer, type TestShop } from '../../../test/support/oidc.ts';
import { setReceiver } from '../../../test/support/ssf.ts';
import { emailChangedReportLink, reportWithDefaults, STORY_ENV } from '../../../test/support/story.ts';
import {
  EVENT_TYPES,
  MamoriApiError,
  shopApi,
  tokenVerifier,
  TokenRefused,
  undoRequestedEventType,
} from '../src/index.ts';

const refused = (reason: RegExp) => (error: unknown) => error instanceof TokenRefused && reason.test(error.message);

/**
 * The client for shop backends against a running Mamori: what it verifies is what Mamori sends (ID
 * tokens, logout tokens, SETs), what it refuses is what a forger or a mix-up would send, and its API calls
 * are the shop API's.
 */
describe('the shop client (packages/client) against Mamori', () => {
  let m: TestMamori & { issuer: string };
  let shop: TestShop;
  let logouts: Awaited<ReturnType<typeof logoutReceiver>>;
  let events: Awaited<ReturnType<typeof setReceiver>>;
  let verify: ReturnType<typeof tokenVerifier>;
  let api: ReturnType<typeof shopApi>;
  let idToken: string;
  let sub: string;

  before(async () => {
    m = await startIssuer('sqlite', STORY_ENV);
    logouts = await logoutReceiver();
    events = await setReceiver();
    shop = await registerShop(m, { backchannelLogoutUri: logouts.url });
    verify = tokenVerifier({ issuer: m.issuer, clientId: shop.clientId, now: () => m.clock.now() });
    api = shopApi({ issuer: m.issuer, clientId: shop.clientId, clientSecret: shop.clientSecret });
    await api.openPushStream(events.url, 'client test');
    const owner = await ownerSignsUp(m);
    const tokens = await shopSignsIn(m, shop, owner);
    idToken = String(tokens.id_token);
    sub = String(tokens.claims()?.sub);
  });
  after(async () => {
    await logouts.close();
    await events.close();
    await m.close();
  });

  test('an ID token verifies with its claims; a wrong nonce, another shop’s token or a tampered one is refused', async () => {
    const claims = await verify.idToken(idToken);
    assert.equal(claims.sub, sub);
    assert.equal(claims.email, 'taro@example.com');
    assert.equal(typeof claims.sid, 'string', 'a shop with back-channel logout is told the sign-in');
    await assert.rejects(verify.idToken(idToken, { nonce: 'not-the-one-sent' }), refused(/nonce/));
    const other = await registerShop(m, { name: 'Another shop' });
    await assert.rejects(
      tokenVerifier({ issuer: m.issuer, clientId: other.clientId, now: () => m.clock.now() }).idToken(idToken),
      refused(/did not verify/),
    );
    const [head, body, signature] = idToken.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await assert.rejects(verify.idToken(`${head}.${body}.${flipped}`), refused(/did not verify/));
    await assert.rejects(verify.idToken('not a jwt'), refused(/did not verify/));
    await assert.rejects(verify.logoutToken(idToken), refused(/did not verify/), 'an ID token is not a logout token');
  });

  test('containment: the logout token and the security events verify; each kind refuses the other', async () => {
    m.clock.advance(3 * 24 * 3_600_000);
    await attackerTakesOver(m);
    await reportWithDefaults(m, emailChangedReportLink(m));
    await m.deliver();
    const order = await verify.logoutToken(logouts.tokens[0] ?? '');
    assert.equal(order.sub, sub);
    // One logout token per shop session, naming the sign-in its ID token carried (issue 24 §6).
    assert.equal(order.sid, (await verify.idToken(idToken)).sid, 'the shop session the ID token named');
    const sets = await Promise.all(events.accepted.map((set) => verify.securityEvent(set)));
    const disabled = sets.find((set) => set.type === EVENT_TYPES.accountDisabled);
    assert.deepEqual(disabled?.event, { reason: 'hijacking' });
    assert.deepEqual(disabled?.subject, { format: 'iss_sub', iss: m.issuer, sub });
    assert.ok(disabled?.txn);
    assert.ok(sets.every((set) => set.txn === undefined || set.txn === disabled?.txn));
    await assert.rejects(verify.securityEvent(logouts.tokens[0] ?? ''), refused(/did not verify/));
    await assert.rejects(verify.logoutToken(events.accepted[0] ?? ''), refused(/did not verify/));
  });

  test('the shop API: report an order, read the security state; a refusal carries Mamori’s words', async () => {
    const state = await api.securityState(sub);
    assert.equal(state.status, 'locked', 'contained by the test before');
    const receipt = await api.reportChange(
      sub,
      {
        type: 'order-placed',
        orderId: 'A-1',
        amount: { value: '1200', currency: 'JPY' },
        shipTo: { line1: '1-2-3 Marunouchi', country: 'JP' },
        paymentMethod: { reference: 'card-1' },
      },
      { ip: '198.51.100.7', userAgent: 'Mozilla/5.0' },
    );
    assert.equal(receipt.repeated, false);
    assert.deepEqual(await api.undoRequests(), []);
    // An answer endpoint that is not the issuer's (a forged event's) is never called, token and all.
    let called = 0;
    const elsewhere = createServer((_request, response) => {
      called += 1;
      response.writeHead(200).end('{}');
    });
    const port = await listenOnLoopback(elsewhere);
    await assert.rejects(api.answerUndoRequest(`http://127.0.0.1:${port}/collect`, 'held'), /issuer’s own API/);
    elsewhere.close();
    assert.equal(called, 0);
    const missing = await api.answerUndoRequest('no-such-request', 'held').catch((error: unknown) => error);
    assert.ok(missing instanceof MamoriApiError);
    assert.equal(missing.status, 404);
    const bad = await api
      .reportChange(sub, { type: 'points-redeemed', redemptionId: 'r', points: -1 }, { ip: 'x', userAgent: 'y' })
      .catch((error: unknown) => error);
    assert.ok(bad instanceof MamoriApiError);
    assert.equal(bad.status, 400);
    assert.match(bad.message, /points/);
    assert.equal(undoRequestedEventType(`${m.issuer}/`), `${m.issuer}/secevent/event-type/undo-requested`);
  });
});

describe('the shop client’s key set: fetched once, fetched again for a key it has not seen', () => {
  const issuer = 'https://id.shop.example';
  let keys: JWK[] = [];
  let fetches = 0;
  let url = '';
  let close: () => void = () => undefined;
  before(async () => {
    const server = createServer((_request, response) => {
      fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    url = `http://127.0.0.1:${await listenOnLoopback(server)}/jwks`;
    close = () => server.close();
  });
  after(() => close());

  async function keyPair(kid: string) {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
  }
  const logoutToken = (key: CryptoKey, kid: string, claims: Record<string, unknown> = {}) =>
    new SignJWT({
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      sub: 'acct-1',
      jti: `j-${Math.random()}`,
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'logout+jwt' })
      .setIssuer(issuer)
      .setAudience('shop-1')
      .setIssuedAt()
      .sign(key);

  test('rotation: a token under the new key verifies after one more fetch; an unknown signer never does', async () => {
    const first = await keyPair('k1');
    keys = [first.jwk];
    const verify = tokenVerifier({ issuer, clientId: 'shop-1', jwksUri: url, jwksCooldownMs: 0 });
    assert.equal((await verify.logoutToken(await logoutToken(first.privateKey, 'k1'))).sub, 'acct-1');
    await verify.logoutToken(await logoutToken(first.privateKey, 'k1'));
    assert.equal(fetches, 1, 'the key set is kept between tokens');

    const second = await keyPair('k2');
    keys = [first.jwk, second.jwk];
    assert.equal((await verify.logoutToken(await logoutToken(second.privateKey, 'k2'))).sub, 'acct-1');
    assert.equal(fetches, 2);

    const forger = await keyPair('k2');
    await assert.rejects(verify.logoutToken(await logoutToken(forger.privateKey, 'k2')), refused(/did not verify/));
    await assert.rejects(
      verify.logoutToken(await logoutToken(first.privateKey, 'k1', { nonce: 'n' })),
      refused(/no nonce/),
    );
    await assert.rejects(
      verify.logoutToken(await logoutToken(first.privateKey, 'k1', { sub: undefined })),
      refused(/neither sub nor sid/),
    );
  });
});
