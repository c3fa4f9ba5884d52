import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import Database from 'better-sqlite3';
import { startShop } from '../../examples/shop/shop.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { freePort } from '../support/loopback.ts';
import { registerShop, startIssuer } from '../support/oidc.ts';

/**
 * Issue 24 §7: the example shop is an example to copy. Its pages carry headers like Mamori's, speak
 * Japanese and English, show times in the shop's zone; looked at as a hostile site would (framing it,
 * feeding it markup through the language switch).
 */
forEachStore('the example shop as an example to copy', (store) => {
  let m: TestMamori & { issuer: string };
  let shop: { url: string; close(): Promise<void> };
  let dir: string;
  beforeEach(async () => {
    m = await startIssuer(store);
    const registered = await registerShop(m);
    dir = mkdtempSync(join(tmpdir(), 'mamori-shop-pages-'));
    shop = await startShop({
      issuer: m.issuer,
      clientId: registered.clientId,
      clientSecret: registered.clientSecret,
      port: await freePort(),
      databaseFile: join(dir, 'shop.db'),
      now: () => m.clock.now(),
      timeZone: 'Asia/Tokyo',
    });
  });
  afterEach(async () => {
    await shop.close();
    await m.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("every page carries Mamori's kind of headers: a strict CSP, no framing, no sniffing, no Referer to other sites", async () => {
    for (const path of ['/', '/callback', '/shop.css', '/no-such-page']) {
      const res = await fetch(`${shop.url}${path}`, { redirect: 'manual' });
      const csp = String(res.headers.get('content-security-policy'));
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /script-src 'self'/, path);
      assert.match(csp, new RegExp(`form-action 'self' ${m.issuer}`), path);
      assert.doesNotMatch(csp, /unsafe-inline/, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('referrer-policy'), 'same-origin', `${path}: no Referer to another site`);
      assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN', path);
      assert.equal(res.headers.get('strict-transport-security'), null, `${path}: no HSTS over plain http`);
    }
    const home = await (await fetch(shop.url)).text();
    assert.doesNotMatch(home, /<style|style=/, 'no inline style the CSP would block');
    assert.match(home, /<link rel="stylesheet" href="\/shop.css">/);
  });

  test('Japanese or English by the browser, a switch that keeps the page, and markup in ?lang= goes nowhere', async () => {
    const ja = await (await fetch(shop.url, { headers: { 'accept-language': 'ja-JP,ja;q=0.9' } })).text();
    assert.match(ja, /<html lang="ja">/);
    assert.match(ja, /Mamori でログイン/);
    assert.match(ja, /<a class="lang" href="\/\?lang=en"/);
    const switched = await fetch(`${shop.url}/?lang=en`, { headers: { 'accept-language': 'ja' } });
    assert.match(await switched.text(), /Sign in with Mamori/);
    const cookie = String(switched.headers.get('set-cookie'));
    assert.match(cookie, /shop_lang=en/);
    const next = await (await fetch(shop.url, { headers: { 'accept-language': 'ja', cookie: 'shop_lang=en' } })).text();
    assert.match(next, /<html lang="en">/, 'the choice stays for the next page');

    const hostile = await fetch(`${shop.url}/?lang=%22%3E%3Cscript%3Ealert(1)%3C/script%3E`, {
      headers: { 'accept-language': 'en' },
    });
    const body = await hostile.text();
    assert.equal(hostile.status, 200);
    assert.doesNotMatch(body, /<script>/);
    assert.equal(hostile.headers.get('set-cookie'), null, 'no cookie for a language we do not have');
  });

  test("the recovery hold's end is shown in the shop's zone and language, not as UTC", async () => {
    const holdUntil = Date.parse('2026-12-09T09:52:55.000Z') / 1000;
    const db = new Database(join(dir, 'shop.db'));
    db.prepare(
      'INSERT INTO sessions (id, sub, sid, email, name, id_token, refresh_token, hold_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run('s1', 'sub-1', null, 'hana@example.com', 'Hana Sato', 'x', null, holdUntil, m.clock.now().toISOString());
    db.close();
    const ja = await (
      await fetch(shop.url, { headers: { cookie: 'shop_session=s1', 'accept-language': 'ja' } })
    ).text();
    assert.match(ja, /2026年12月9日 18:52 JST まで/);
    const en = await (
      await fetch(shop.url, { headers: { cookie: 'shop_session=s1', 'accept-language': 'en' } })
    ).text();
    assert.match(en, /wait until 9 Dec 2026, 18:52 GMT\+9/);
    assert.doesNotMatch(en + ja, /2026-12-09T09:52/);
  });
});
