import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  chromiumUnavailable,
  launchChromium,
  mailedSignInCode,
  startServer,
  type RunningMamori,
} from '../support/browser.ts';

const PASSWORD = 'violet kettle harbour drum';

describe('foundation in Chromium', { skip: chromiumUnavailable ?? false }, () => {
  let server: RunningMamori;
  let browser: Browser;
  before(async () => {
    server = await startServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('register, read the mail in the mailbox, verify, sign in, add an address, sign out everywhere', async () => {
    const context = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const page = await context.newPage();

    await page.goto('/register');
    await page.getByLabel('Your name').fill('Hana Sato');
    await page.getByLabel('Email address').fill('hana@example.com');
    await page.getByLabel('Password', { exact: false }).first().fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();

    assert.equal(await server.worker.runOnce(), 1);
    await page.goto('/dev/mailbox');
    await page.getByRole('link', { name: 'Confirm your email address for Maple Market' }).click();
    await page.getByRole('link', { name: /\/verify-email\?token=/ }).click();
    await page.getByRole('heading', { name: 'Confirm your email address' }).waitFor();
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.getByText('Your address is confirmed').waitFor();

    // Sign in with the keyboard only.
    await page.getByLabel('Email address').fill('hana@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/account');
    assert.equal(await page.getByTestId('account-email').textContent(), 'hana@example.com');

    await page.getByText('Add an address').first().click();
    await page.getByLabel('Recipient').fill('Hana Sato');
    await page.getByLabel('Postal code').fill('150-0001');
    await page.getByLabel('Prefecture / region').fill('Tokyo');
    await page.getByLabel('City').fill('Shibuya');
    await page.getByLabel('Street address').fill('1-2-3 Jingumae');
    await page.getByRole('button', { name: 'Add an address' }).click();
    await page.getByText('Saved.').waitFor();
    assert.ok(await page.getByText('1-2-3 Jingumae').isVisible());

    // A second device, then sign out everywhere from the first.
    const phone = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const phonePage = await phone.newPage();
    await phonePage.goto('/sign-in');
    await phonePage.getByLabel('Email address').fill('hana@example.com');
    await phonePage.getByLabel('Password').first().fill(PASSWORD);
    await phonePage.getByRole('button', { name: 'Sign in', exact: true }).click();
    // A browser new to the account: the risk engine asks for the code mailed to the account's address.
    await phonePage.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await phonePage.getByLabel('6-digit code from the email').fill(await mailedSignInCode(server, 'hana@example.com'));
    await phonePage.getByRole('button', { name: 'Continue' }).click();
    await phonePage.waitForURL('**/account');

    await page.getByRole('link', { name: 'Devices' }).click();
    assert.equal(await page.locator('tr[data-session]').count(), 2);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByText('You are signed out.').waitFor();
    await page.goto('/account');
    assert.match(page.url(), /\/sign-in\?returnTo=%2Faccount$/);
    await phonePage.reload();
    assert.match(phonePage.url(), /\/sign-in/);

    await page.screenshot({ path: 'test-results/foundation-signed-out.png' }).catch(() => undefined);
    await context.close();
    await phone.close();
  });

  test('pages are Japanese by default for a Japanese browser, and the language switch is a link to the same page', async () => {
    const context = await browser.newContext({ locale: 'ja-JP', baseURL: server.url });
    const page = await context.newPage();
    await page.goto('/sign-in');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await context.close();
  });

  test('the CSP allows our own script and the password can be shown', async () => {
    const context = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/.test(message.text())) violations.push(message.text());
    });
    await page.goto('/register');
    const input = page.locator('#f-password');
    await input.fill('visible secret words');
    await page.getByLabel('Show password').check();
    assert.equal(await input.getAttribute('type'), 'text');
    assert.deepEqual(violations, []);
    await context.close();
  });
});
