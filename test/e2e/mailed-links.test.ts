import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumUnavailable } from '../support/browser.ts';
import {
  attackerTakesOverInBrowser,
  OWNER,
  OWNER_PASSWORD,
  signInInBrowser,
  storyInChromium,
} from '../support/browser-story.ts';

/** "English / 日本語" in the header: the same page in the other language, its emailed token kept. */
async function switchLanguage(page: Page, to: '日本語' | 'English'): Promise<void> {
  const before = new URL(page.url());
  await page.getByRole('link', { name: to, exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('lang') === (to === '日本語' ? 'ja' : 'en'));
  const after = new URL(page.url());
  assert.equal(after.pathname, before.pathname, 'the same page');
  assert.equal(after.searchParams.get('token'), before.searchParams.get('token'), 'the link kept');
  assert.equal(await page.locator('html').getAttribute('lang'), to === '日本語' ? 'ja' : 'en');
}

/**
 * Issue 25: the language switch on every page opened from a mail keeps the page (the same content in the
 * other language) and its button still acts; no request the switch makes carries a Referer.
 */
describe('the language switch on mailed-link pages, in Chromium', { skip: chromiumUnavailable ?? false }, () => {
  const world = storyInChromium();

  test('verify-email, report, incident and recover: switched to Japanese, the button still acts', async () => {
    const { server, browser, inbox } = world;
    const context = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const owner = await context.newPage();
    const referers: string[] = [];
    owner.on('request', (request) => {
      const referer = request.headers().referer;
      if (referer) referers.push(`${request.url()} ← ${referer}`);
    });
    await owner.goto('/register');
    await owner.getByLabel('Your name').fill('Taro Yamada');
    await owner.getByLabel('Email address').fill(OWNER);
    await owner.getByLabel('Password').first().fill(OWNER_PASSWORD);
    await owner.getByRole('button', { name: 'Create account' }).click();
    await server.worker.runOnce();
    await owner.goto(inbox.link(OWNER, '/verify-email'));
    await owner.getByRole('heading', { name: 'Confirm your email address' }).waitFor();
    await switchLanguage(owner, '日本語');
    await owner.getByRole('heading', { name: 'メールアドレスの確認' }).waitFor();
    await owner.getByRole('button', { name: 'アドレスを確認する' }).click();
    await owner.getByText('アドレスが確認されました。ログインできます。').waitFor();
    await owner.getByRole('link', { name: 'English', exact: true }).click();
    await signInInBrowser(owner, OWNER, OWNER_PASSWORD);
    await owner.waitForURL('**/account');
    server.clock.advance(3 * 24 * 3_600_000);

    const { context: attackerContext } = await attackerTakesOverInBrowser(browser, server, inbox, {
      changePassword: true,
    });
    // The owner, signed out by the attacker's password change, opens the notice in a fresh window.
    const mailed = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const victim = await mailed.newPage();
    victim.on('request', (request) => {
      const referer = request.headers().referer;
      if (referer) referers.push(`${request.url()} ← ${referer}`);
    });
    await victim.goto(inbox.link(OWNER, '/report', /email address of your Maple Market account was changed/));
    await victim.getByRole('heading', { name: 'Was this you?' }).waitFor();
    await switchLanguage(victim, '日本語');
    await victim.getByRole('heading', { name: 'ご本人による操作ですか？' }).waitFor();
    await victim.getByRole('button', { name: /心当たりがない/ }).click();
    await victim.getByTestId('incident-state').waitFor();
    assert.equal(await victim.locator('html').getAttribute('lang'), 'ja', 'the next page keeps her language');
    await switchLanguage(victim, 'English');
    await victim.getByRole('heading', { name: 'Your account is protected' }).waitFor();
    await victim.getByLabel('Phone number to call').fill('+81 90-1234-5678');
    await victim.getByLabel('When suits you').fill('today after 18:00');
    await victim.getByRole('button', { name: 'Ask for a call back' }).click();
    await victim.getByText('Received. A person will get back to you.').waitFor();

    server.clock.advance(5 * 3_600_000);
    await server.worker.runOnce();
    await victim.goto(inbox.link(OWNER, '/recover'));
    await victim.getByRole('heading', { name: 'Recover your account' }).waitFor();
    await switchLanguage(victim, '日本語');
    await victim.getByRole('heading', { name: 'アカウントの復旧' }).waitFor();
    await victim.getByLabel('新しいパスワード').fill('fresh start lantern meadow');
    await victim.getByRole('button', { name: 'パスワードを設定してアカウントを再開' }).click();
    await victim.getByText('アカウントを再開しました。ログインしてチェックリストを完了してください。').waitFor();
    assert.deepEqual(referers, [], 'no request carried a Referer');
    await context.close();
    await mailed.close();
    await attackerContext.close();
  });

  test('confirm-email (signed in: the switch is a form) and reset-password keep the link', async () => {
    const { server, browser, inbox } = world;
    const hana = 'hana@example.com';
    const context = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const page = await context.newPage();
    await page.goto('/register');
    await page.getByLabel('Your name').fill('Hana Sato');
    await page.getByLabel('Email address').fill(hana);
    await page.getByLabel('Password').first().fill(OWNER_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await server.worker.runOnce();
    await page.goto(inbox.link(hana, '/verify-email'));
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await signInInBrowser(page, hana, OWNER_PASSWORD);
    await page.waitForURL('**/account');
    await page.getByLabel('New email address').fill('hana@new.example');
    await page
      .getByRole('region', { name: 'Change email address' })
      .getByLabel('Current password')
      .fill(OWNER_PASSWORD);
    await page.getByRole('button', { name: 'Change email address' }).click();
    await server.worker.runOnce();
    const confirm = inbox.link('hana@new.example', '/confirm-email');
    await page.goto(confirm);
    await page.getByRole('button', { name: 'Confirm the new address' }).waitFor();
    await page.getByRole('button', { name: '日本語', exact: true }).click();
    await page.getByRole('button', { name: '新しいアドレスを確認する' }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('token'), new URL(confirm).searchParams.get('token'));
    await page.getByRole('button', { name: '新しいアドレスを確認する' }).click();
    await page.waitForURL('**/account?notice=saved');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ja');

    const stranger = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const reset = await stranger.newPage();
    await reset.goto('/forgot-password');
    await reset.getByLabel('Email address').fill('hana@new.example');
    await reset.getByRole('button', { name: /Send/ }).click();
    await server.worker.runOnce();
    await reset.goto(inbox.link('hana@new.example', '/reset-password'));
    await reset.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await switchLanguage(reset, '日本語');
    await reset.getByRole('heading', { name: '新しいパスワードを設定' }).waitFor();
    await reset.getByLabel('新しいパスワード').fill('copper lantern meadow orbit');
    await reset.getByRole('button', { name: 'パスワードを設定' }).click();
    await reset.getByText(/パスワードを設定し、すべての端末からログアウトしました/).waitFor();
    await context.close();
    await stranger.close();
  });
});
