import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { forEachStore, memoryLogger, startMamori, type TestMamori } from '../support/harness.ts';
import { pathOf, TestClient, tokenOf } from '../support/http-client.ts';
import { PASSWORD, signIn } from '../support/flows.ts';
import { attackerTakesOver, checkedUndo, emailChangedReportLink, OWNER, STORY_ENV } from '../support/story.ts';

const HOUR = 3_600_000;

/** The header's language switch as the page renders it: a link (signed out) or the POST form's returnTo. */
function switchTarget(body: string): string {
  const link =
    /<a class="lang" href="([^"]+)"/.exec(body)?.[1] ??
    /name="returnTo" value="([^"]+)">\n<button type="submit" class="link" lang/.exec(body)?.[1];
  assert.ok(link, 'the page has a language switch');
  return link.replaceAll('&amp;', '&');
}

const pageLanguage = (body: string) => /<html lang="(\w+)">/.exec(body)?.[1];

/**
 * Issue 25, "the language switch throws away the link": on every page opened from a mail, the switch
 * leads to the same page in the other language with the link's token, and the page's button still acts.
 * Played by whoever would like that token: it must not reach a Referer, a log line, or another URL.
 */
forEachStore('the language switch keeps an emailed link', (store) => {
  let m: TestMamori;
  let logged: ReturnType<typeof memoryLogger>;
  beforeEach(async () => {
    logged = memoryLogger();
    m = await startMamori(store, STORY_ENV, { log: logged.log });
  });
  afterEach(async () => {
    await m.close();
  });

  /** Opens the mailed link, switches language, and checks the same page came back in Japanese, token and all. */
  async function switchesKeepingTheLink(client: TestClient, path: string, heading: RegExp): Promise<void> {
    const token = new URL(path, 'http://x').searchParams.get('token') ?? '';
    const english = await client.get(path);
    assert.equal(english.statusCode, 200, `${path}: ${english.body.slice(0, 300)}`);
    assert.equal(pageLanguage(english.body), 'en');
    const target = switchTarget(english.body);
    const url = new URL(target, 'http://x');
    assert.equal(url.pathname, new URL(path, 'http://x').pathname, 'the same page');
    assert.equal(url.searchParams.get('token'), token, 'the token kept');
    assert.equal(url.searchParams.get('lang'), 'ja');
    const japanese = await client.get(target);
    assert.equal(japanese.statusCode, 200, `${target}: ${japanese.body.slice(0, 300)}`);
    assert.equal(pageLanguage(japanese.body), 'ja');
    assert.match(japanese.body, heading);
    assert.match(japanese.body, new RegExp(`name="token" value="${token}"`), 'its form still carries the link');
    assert.equal(japanese.headers['referrer-policy'], 'no-referrer', 'no Referer carries the token away');
    // And back: the link to English carries the token as well.
    assert.equal(new URL(switchTarget(japanese.body), 'http://x').searchParams.get('token'), token);
  }

  function tokenInLogs(token: string): boolean {
    assert.ok(logged.lines.length > 0, 'requests were logged');
    return logged.lines.some((line) => JSON.stringify(line).includes(token));
  }

  test('report, incident and recovery pages: the switch keeps the page, and the next page stays in that language', async () => {
    await attackerTakesOver(m);
    const report = pathOf(emailChangedReportLink(m));
    const owner = new TestClient(m.app);
    await switchesKeepingTheLink(owner, report, /このメールアドレス変更に心当たりはありますか|心当たり/);
    // The button on the Japanese page acts, and the incident page it leads to is Japanese too.
    const japanese = await owner.get(`${report}&lang=ja`);
    const reported = await owner.post('/report', {
      token: tokenOf(`http://x${report}`),
      undo: checkedUndo(japanese.body),
    });
    assert.equal(reported.statusCode, 303);
    const incident = String(reported.headers.location);
    const incidentPage = await owner.get(incident);
    assert.equal(pageLanguage(incidentPage.body), 'ja', 'the choice is kept by the browser');

    const other = new TestClient(m.app);
    await switchesKeepingTheLink(other, incident, /.+/);

    m.clock.advance(6 * HOUR);
    await m.deliver();
    const recover = pathOf(m.mailer.link(OWNER, '/recover'));
    await switchesKeepingTheLink(new TestClient(m.app), recover, /.+/);
    for (const path of [report, incident, recover])
      assert.ok(!tokenInLogs(tokenOf(`http://x${path}`)), `${path}: the token is in no log line`);
  });

  test('verify-email, confirm-email and reset-password: the switch keeps the link and the button still acts', async () => {
    const hana = 'hana@example.com';
    const browser = new TestClient(m.app);
    await browser.get('/register');
    await browser.post('/register', { name: 'Hana Sato', email: hana, password: PASSWORD });
    await m.deliver();
    const verify = pathOf(m.mailer.link(hana, '/verify-email'));
    await switchesKeepingTheLink(browser, verify, /メールアドレスの確認/);
    const verified = await browser.post('/verify-email', { token: tokenOf(`http://x${verify}`) });
    assert.equal(verified.statusCode, 303);

    const { client } = await signIn(m, hana);
    await client.get('/account');
    const asked = await client.post('/account/email', { newEmail: 'hana@new.example', currentPassword: PASSWORD });
    assert.equal(asked.statusCode, 303);
    await m.deliver();
    const confirm = pathOf(m.mailer.link('hana@new.example', '/confirm-email'));
    // Signed in, the switch is a form (it also keeps the choice for her mail), back to the same URL.
    await switchesKeepingTheLink(client, confirm, /hana@new\.example/);
    const switched = await client.post('/language', { locale: 'ja', returnTo: `${confirm}&lang=ja` });
    assert.equal(switched.headers.location, `${confirm}&lang=ja`);
    assert.equal((await client.post('/confirm-email', { token: tokenOf(`http://x${confirm}`) })).statusCode, 303);

    const stranger = new TestClient(m.app);
    await stranger.get('/forgot-password');
    await stranger.post('/forgot-password', { email: 'hana@new.example' });
    await m.deliver();
    const reset = pathOf(m.mailer.link('hana@new.example', '/reset-password'));
    await switchesKeepingTheLink(stranger, reset, /新しいパスワード|パスワード/);
    const done = await stranger.post('/reset-password', {
      token: tokenOf(`http://x${reset}`),
      password: 'copper lantern meadow orbit',
    });
    assert.equal(done.statusCode, 303);
    for (const path of [verify, confirm, reset])
      assert.ok(!tokenInLogs(tokenOf(`http://x${path}`)), `${path}: the token is in no log line`);
  });

  test('a form shown again with what was wrong switches to its own page with the token it carried', async () => {
    const hana = 'hana@example.com';
    const browser = new TestClient(m.app);
    await browser.get('/register');
    await browser.post('/register', { name: 'Hana Sato', email: hana, password: PASSWORD });
    await m.deliver();
    await browser.post('/verify-email', { token: tokenOf(m.mailer.link(hana, '/verify-email')) });
    await browser.get('/forgot-password');
    await browser.post('/forgot-password', { email: hana });
    await m.deliver();
    const reset = m.mailer.link(hana, '/reset-password');
    await browser.get(pathOf(reset));
    const refused = await browser.post('/reset-password', { token: tokenOf(reset), password: 'short' });
    assert.equal(refused.statusCode, 400);
    assert.equal(switchTarget(refused.body), `/reset-password?token=${tokenOf(reset)}&lang=ja`);

    // A hostile form puts markup or a second parameter where the token goes: it is left out, not echoed.
    const hostile = await browser.post('/reset-password', {
      token: '"><a href=//evil.example>&lang=en',
      password: 'x',
    });
    assert.equal(hostile.statusCode, 400);
    assert.equal(switchTarget(hostile.body), '/reset-password?lang=ja');
    assert.doesNotMatch(hostile.body, /<a href=\/\/evil/);
  });

  test('a link from another site can only choose the language: no account change, no other page, bad values ignored', async () => {
    const hana = 'hana@example.com';
    const browser = new TestClient(m.app);
    await browser.get('/register');
    await browser.post('/register', { name: 'Hana Sato', email: hana, password: PASSWORD });
    await m.deliver();
    await browser.post('/verify-email', { token: tokenOf(m.mailer.link(hana, '/verify-email')) });
    const { client } = await signIn(m, hana);
    const page = await client.get('/account?lang=ja');
    assert.equal(pageLanguage(page.body), 'ja');
    const account = await m.deps.db
      .selectFrom('accounts')
      .select('locale')
      .where('email', '=', hana)
      .executeTakeFirstOrThrow();
    assert.equal(account.locale, 'en', 'a GET changes only the browser’s choice, never the account');

    for (const query of ['lang=xx', 'lang=ja&lang=en', 'lang=%FF', 'lang[]=ja', 'lang=constructor']) {
      const res = await new TestClient(m.app).get(`/sign-in?${query}`);
      assert.equal(res.statusCode, 200, query);
      assert.equal(pageLanguage(res.body), 'en', query);
    }
    // The switch after a hostile query keeps the page and nothing else the query could smuggle in.
    const odd = await new TestClient(m.app).get('/sign-in?returnTo=%2F%2Fevil.example&lang=en');
    assert.equal(switchTarget(odd.body), '/sign-in?returnTo=%2F%2Fevil.example&lang=ja');
    const followed = await new TestClient(m.app).get('/sign-in?returnTo=%2F%2Fevil.example&lang=ja');
    assert.doesNotMatch(followed.body, /value="\/\/evil/, 'the sign-in page still refuses a foreign returnTo');
  });
  test('a form posted to a path the router would read as a pattern (`*`, `:`) gets its answer, never a 500', async () => {
    for (const path of ['/report/*x', '/incident/orders/*_Bdc%23S/release', '/api/v1/undo-requests/*x', '/a:b/*']) {
      const form = await new TestClient(m.app).post(path, { token: 'x' });
      assert.ok(
        form.statusCode >= 400 && form.statusCode < 500,
        `${path}: ${form.statusCode} ${form.body.slice(0, 200)}`,
      );
      for (const method of ['POST', 'PUT'] as const) {
        const json = await m.app.inject({
          method,
          url: path,
          headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json' },
          payload: '{"answer":"held"}',
        });
        assert.ok(
          json.statusCode >= 400 && json.statusCode < 500,
          `${method} ${path}: ${json.statusCode} ${json.body}`,
        );
      }
    }
  });
});
