import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import pino from 'pino';
import { composeMamori, type Mamori } from '../../src/runtime/compose.ts';
import { claimOutboxRow } from '../../src/store/outbox.ts';
import { ownerSignsUp } from '../../src/cli/demo/story.ts';
import { anotherWorker, forEachStore, type TestMamori } from '../support/harness.ts';
import { registerAndVerify } from '../support/flows.ts';
import { pathOf, TestClient } from '../support/http-client.ts';
import { OWNER } from '../support/story.ts';
import { registerShop, startIssuer } from '../support/oidc.ts';
import { callApi, shopApiToken } from '../support/ssf.ts';

const HOSTILE = '203.0.113.66';
const WINDOW = 15 * 60_000;
const NOTICE_WINDOW = 60_000;

/** A delivery address saved at checkout: always announced to the owner, with "This wasn't me". */
const savedAddress = (n: number) => ({
  type: 'address-saved',
  addressId: `addr-${n}`,
  address: { line1: `${n} Flood Street`, city: 'Osaka', country: 'JP' },
  customer: { ip: '198.51.100.7', userAgent: 'curl/8' },
});

/** Every "This wasn't me" link in a mail, in order. */
const reportLinks = (text: string) => [...text.matchAll(/This wasn't me: (\S+)/g)].map((match) => match[1] ?? '');

/** A token request as a hostile caller sends it: client_secret_basic, from the address it says (behind one proxy). */
async function tokenRequest(issuer: string, clientId: string, secret: string, from?: string) {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
  const res = await fetch(`${issuer}/oidc/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      ...(from ? { 'x-forwarded-for': from } : {}),
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'account:read', resource: `${issuer}/api` }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    type: res.headers.get('content-type') ?? '',
    body: (await res.json()) as Record<string, unknown>,
  };
}

/** Issue 24 §4: limits on the machine-to-machine side, tried from the side of a hostile caller. */
forEachStore('machine-to-machine limits', (store) => {
  let m: TestMamori & { issuer: string };
  let others: Mamori[] = [];
  afterEach(async () => {
    for (const other of others) await other.close();
    others = [];
    await m.close();
  });

  test('a caller guessing a client secret is throttled per client and per address; other clients keep getting tokens; the right secret works after the window', async () => {
    m = await startIssuer(store, { MAMORI_TRUST_PROXY: '1', MAMORI_CLIENT_AUTH_FAILURES: '5' });
    const victim = await registerShop(m, { name: 'Maple Market storefront' });
    const bystander = await registerShop(m, { name: 'Cedar Books' });

    for (let i = 0; i < 5; i += 1) {
      const guess = await tokenRequest(m.issuer, victim.clientId, `guess-${i}`, HOSTILE);
      assert.equal(guess.status, 401);
      assert.equal(guess.body.error, 'invalid_client');
    }
    const throttled = await tokenRequest(m.issuer, victim.clientId, 'guess-5', HOSTILE);
    assert.equal(throttled.status, 429);
    assert.match(throttled.type, /^application\/json/);
    assert.equal(throttled.body.error, 'temporarily_unavailable');
    assert.match(String(throttled.body.error_description), /too many failed client authentications/);
    assert.deepEqual(Object.keys(throttled.body).sort(), ['error', 'error_description']);
    const retryAfter = Number(throttled.retryAfter);
    assert.ok(retryAfter > 0 && retryAfter <= WINDOW / 1000, `Retry-After: ${throttled.retryAfter}`);

    // A right guess now learns nothing: the secret is not even compared.
    assert.equal((await tokenRequest(m.issuer, victim.clientId, victim.clientSecret, HOSTILE)).status, 429);
    // The attacked client waits out the window wherever it calls from (its id is what was guessed at) ...
    assert.equal((await tokenRequest(m.issuer, victim.clientId, victim.clientSecret)).status, 429);
    // ... and the guessing address gets nowhere with another client either.
    assert.equal((await tokenRequest(m.issuer, bystander.clientId, 'another guess', HOSTILE)).status, 429);
    assert.equal((await tokenRequest(m.issuer, bystander.clientId, bystander.clientSecret, HOSTILE)).status, 429);
    // Another client with its right secret, from its own address, still gets tokens.
    assert.ok(await shopApiToken(m.issuer, bystander, 'account:read'));
    const bystanderToken = await tokenRequest(m.issuer, bystander.clientId, bystander.clientSecret, '198.51.100.20');
    assert.equal(bystanderToken.status, 200);
    assert.equal(typeof bystanderToken.body.access_token, 'string');

    m.clock.advance(WINDOW);
    const again = await tokenRequest(m.issuer, victim.clientId, victim.clientSecret);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(typeof again.body.access_token, 'string');
    // Right secrets do not add up to a lockout: a busy shop asking for many tokens is never throttled.
    for (let i = 0; i < 8; i += 1)
      assert.equal((await tokenRequest(m.issuer, victim.clientId, victim.clientSecret)).status, 200);
    // A right secret counts nothing: the client has no live window, only the guesses' spent one.
    const counted = await m.deps.db
      .selectFrom('rate_limits')
      .select('hits')
      .where('key', '=', `client-auth:client:${victim.clientId}`)
      .where('expires_at', '>', m.clock.now().toISOString())
      .executeTakeFirst();
    assert.equal(counted, undefined);
  });

  test('a forged X-Forwarded-For does not buy a fresh address budget when no proxy is trusted', async () => {
    m = await startIssuer(store, { MAMORI_CLIENT_AUTH_FAILURES: '3' });
    const victim = await registerShop(m);
    const bystander = await registerShop(m, { name: 'Cedar Books' });
    for (let i = 0; i < 3; i += 1)
      assert.equal((await tokenRequest(m.issuer, bystander.clientId, `g${i}`, `192.0.2.${i}`)).status, 401);
    // Every guess came from the socket's address, whatever the header said: that address is spent.
    assert.equal((await tokenRequest(m.issuer, victim.clientId, 'g', '192.0.2.99')).status, 429);
  });

  test('a shop over its /api/v1 budget gets 429 problem details with Retry-After; another shop does not', async () => {
    m = await startIssuer(store, { MAMORI_API_REQUESTS_PER_MINUTE: '5' });
    const hostile = await registerShop(m, { name: 'Flood Goods' });
    const other = await registerShop(m, { name: 'Cedar Books' });
    const hostileToken = await shopApiToken(m.issuer, hostile, 'undo-requests:answer');
    const otherToken = await shopApiToken(m.issuer, other, 'undo-requests:answer');
    const list = (token: string) => callApi(m.issuer, token, 'GET', '/api/v1/undo-requests');

    for (let i = 0; i < 5; i += 1) assert.equal((await list(hostileToken)).status, 200);
    const res = await fetch(`${m.issuer}/api/v1/undo-requests`, {
      headers: { authorization: `Bearer ${hostileToken}` },
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${res.headers.get('retry-after')}`);
    const problem = (await res.json()) as Record<string, unknown>;
    assert.equal(problem.status, 429);
    assert.equal(problem.type, 'https://mamori.dev/problems/rate-limited');
    assert.match(String(problem.detail), /budget of 5 API calls a minute/);
    // Every operation draws on the same budget: the flood cannot move to another path.
    assert.equal((await callApi(m.issuer, hostileToken, 'POST', '/api/v1/ssf/poll', {})).status, 429);

    assert.equal((await list(otherToken)).status, 200, 'another shop is not held back');
    // Nobody spends a shop's budget without its token: bad tokens are refused before anything is counted.
    assert.equal((await list('not-a-token')).status, 401);

    m.clock.advance(60_000);
    assert.equal((await list(hostileToken)).status, 200, 'the next minute brings a new budget');
  });

  if (store === 'postgres') {
    test('two instances on one store share a shop’s /api/v1 budget and the client-authentication throttle', async () => {
      m = await startIssuer(store, { MAMORI_API_REQUESTS_PER_MINUTE: '5', MAMORI_CLIENT_AUTH_FAILURES: '3' });
      const second = await composeMamori(m.config, {
        clock: m.clock,
        mailer: m.mailer,
        workerIntervalMs: 0,
        log: pino({ level: 'silent' }),
      });
      others.push(second);
      const shop = await registerShop(m);
      const token = await shopApiToken(m.issuer, shop, 'undo-requests:answer');
      const onSecond = (bearer: string) =>
        second.app.inject({
          method: 'GET',
          url: '/api/v1/undo-requests',
          headers: { authorization: `Bearer ${bearer}` },
        });
      for (let i = 0; i < 3; i += 1)
        assert.equal((await callApi(m.issuer, token, 'GET', '/api/v1/undo-requests')).status, 200);
      for (let i = 0; i < 2; i += 1) assert.equal((await onSecond(token)).statusCode, 200);
      assert.equal((await callApi(m.issuer, token, 'GET', '/api/v1/undo-requests')).status, 429);
      const spent = await onSecond(token);
      assert.equal(spent.statusCode, 429);
      assert.ok(Number(spent.headers['retry-after']) > 0);

      // Guesses at the first instance spend the client's budget at the second.
      for (let i = 0; i < 3; i += 1) assert.equal((await tokenRequest(m.issuer, shop.clientId, `g${i}`)).status, 401);
      const basic = Buffer.from(`${shop.clientId}:${shop.clientSecret}`).toString('base64');
      const atSecond = await second.app.inject({
        method: 'POST',
        url: '/oidc/token',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', scope: 'account:read' }).toString(),
      });
      assert.equal(atSecond.statusCode, 429, atSecond.body);
      assert.ok(Number(atSecond.headers['retry-after']) > 0);
    });
  }

  describe('a shop’s reports cannot flood a customer’s inbox', () => {
    let token: string;
    let sub: string;
    beforeEach(async () => {
      m = await startIssuer(store);
      await ownerSignsUp(m);
      await m.deliver();
      sub = (await m.deps.db.selectFrom('accounts').select('id').where('email', '=', OWNER).executeTakeFirstOrThrow())
        .id;
      token = await shopApiToken(m.issuer, await registerShop(m, { name: 'Flood Goods' }), 'shop-changes:write');
    });
    const report = async (account: string, n: number) => {
      const res = await callApi(m.issuer, token, 'POST', `/api/v1/accounts/${account}/shop-changes`, savedAddress(n));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal((res.body as { announced: boolean }).announced, true);
    };
    const loggedReports = async () =>
      (
        await m.deps.db
          .selectFrom('account_log')
          .select('id')
          .where('account_id', '=', sub)
          .where('kind', '=', 'shop-address-saved')
          .execute()
      ).length;

    test('a burst of 30 reports: the first mailed at once, the other 29 in one mail a window later, each with its own link; all 30 in the log', async () => {
      const before = m.mailer.to(OWNER).length;
      await report(sub, 0);
      await m.deliver();
      const first = m.mailer.to(OWNER).slice(before);
      assert.deepEqual(
        first.map((mail) => mail.subject),
        ['A delivery address was saved to your Maple Market account at checkout'],
        'the first change is heard at once',
      );

      // Another customer's notice is not held back by this flood.
      await registerAndVerify(m, 'hana@example.com');
      const hana = (
        await m.deps.db
          .selectFrom('accounts')
          .select('id')
          .where('email', '=', 'hana@example.com')
          .executeTakeFirstOrThrow()
      ).id;

      for (let n = 1; n < 30; n += 1) {
        await report(sub, n);
        m.clock.advance(1_000);
      }
      await report(hana, 100);
      await m.deliver();
      assert.equal(m.mailer.to(OWNER).length, before + 1, 'nothing more within the window');
      assert.equal(m.mailer.to('hana@example.com').filter((mail) => /at checkout/.test(mail.subject)).length, 1);

      m.clock.advance(NOTICE_WINDOW);
      await m.deliver();
      const mails = m.mailer.to(OWNER).slice(before);
      assert.equal(mails.length, 2, mails.map((mail) => mail.subject).join(' | '));
      const digest = mails[1];
      assert.equal(digest?.subject, '29 changes were reported on your Maple Market account at checkout');
      for (let n = 1; n < 30; n += 1)
        assert.ok(digest?.text.includes(`${n} Flood Street, Osaka, JP`), `item ${n} listed`);
      const links = [...reportLinks(first[0]?.text ?? ''), ...reportLinks(digest?.text ?? '')];
      assert.equal(links.length, 30);
      assert.equal(new Set(links).size, 30, 'each change has a link of its own');
      assert.equal((digest?.html.match(/This wasn(&#39;|')t me<\/a>/g) ?? []).length, 29, 'a button per item');

      assert.equal(await loggedReports(), 30, 'every report is in the account log');
      // Each link opens its own report page; a used one is spent, the others stay good.
      const reporter = new TestClient(m.app);
      for (const link of links) assert.equal((await reporter.get(pathOf(link))).statusCode, 200);
      const outbox = await m.deps.db
        .selectFrom('outbox')
        .select(['status', 'model'])
        .where('account_id', '=', sub)
        .where('template', '=', 'shop-change-notice')
        .execute();
      assert.equal(outbox.length, 30);
      assert.ok(
        outbox.every((row) => row.status === 'sent' && row.model === null),
        'each notice sent, its link erased',
      );
    });

    test('two workers racing over a burst mail each change exactly once', async () => {
      const before = m.mailer.to(OWNER).length;
      for (let n = 0; n < 30; n += 1) await report(sub, n);
      await Promise.all([m.deliver(), anotherWorker(m).runOnce(), anotherWorker(m).runOnce()]);
      const mails = m.mailer.to(OWNER).slice(before);
      const links = mails.flatMap((mail) => reportLinks(mail.text));
      assert.equal(links.length, 30, mails.map((mail) => mail.subject).join(' | '));
      assert.equal(new Set(links).size, 30, 'no change mailed twice');
      assert.ok(mails.length <= 3, `${mails.length} mails for one burst`);
      m.clock.advance(NOTICE_WINDOW);
      await m.deliver();
      assert.equal(m.mailer.to(OWNER).length, before + mails.length, 'nothing left behind or sent again');
      assert.equal(await loggedReports(), 30);
    });

    test('a notice another instance has just taken is never put in a second mail', async () => {
      const before = m.mailer.to(OWNER).length;
      for (let n = 0; n < 5; n += 1) await report(sub, n);
      const queued = await m.deps.db
        .selectFrom('outbox')
        .select(['id', 'created_at'])
        .where('template', '=', 'shop-change-notice')
        .where('status', '=', 'queued')
        .orderBy('created_at')
        .execute();
      assert.equal(queued.length, 5);
      // Another instance's worker claims the third notice as the head of its own mail, mid-way through ours.
      const now = m.clock.now();
      const theirs = await claimOutboxRow(
        m.deps.db,
        queued[2]?.id ?? '',
        now.toISOString(),
        new Date(now.getTime() + 60_000).toISOString(),
      );
      assert.ok(theirs);
      const theirModel = JSON.parse(theirs.model ?? '{}') as { reportLink: string };
      await m.deliver();
      const mails = m.mailer.to(OWNER).slice(before);
      assert.equal(mails.length, 1);
      const links = reportLinks(mails[0]?.text ?? '');
      assert.equal(links.length, 4, 'ours lists the four it took');
      assert.ok(!links.includes(theirModel.reportLink), 'and not the one the other instance is mailing');
    });
  });
});
