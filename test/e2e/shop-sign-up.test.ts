import { describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumUnavailable } from '../support/browser.ts';
import { exampleShopBeside } from '../support/example-shop-beside.ts';
import { OWNER_PASSWORD, storyInChromium } from '../support/browser-story.ts';

/**
 * Issue 25, "registration started at a shop does not return to the shop": from the example shop's "Sign
 * in", a new customer creates an account, confirms the address from the mail, and ends at the shop
 * signed in, whether the mail's link opens in a tab of its own or she goes on in the tab she started in.
 */
describe('signing up from the example shop, in Chromium', { skip: chromiumUnavailable ?? false }, () => {
  const world = storyInChromium();
  const shop = exampleShopBeside(world, { backchannelLogout: false });

  /** The shop's "Sign in" → Mamori's sign-in → "Create an account" → the form, sent. */
  async function signsUpFromTheShop(context: BrowserContext, name: string, email: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(shop.url);
    await page.getByRole('link', { name: 'Sign in with Mamori' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'New here? Create an account' }).click();
    await page.getByLabel('Your name').fill(name);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').first().fill(OWNER_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await world.server.worker.runOnce();
    return page;
  }

  async function signsIn(page: Page, email: string): Promise<void> {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').first().fill(OWNER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  test('the confirmation mail opened in a new tab ends at the shop, signed in', async () => {
    const context = await world.browser.newContext({ locale: 'en-US' });
    await signsUpFromTheShop(context, 'Hana Sato', 'hana@example.com');
    const fromMail = await context.newPage();
    await fromMail.goto(world.inbox.link('hana@example.com', '/verify-email'));
    await fromMail.getByRole('button', { name: 'Confirm my address' }).click();
    await fromMail.getByText('Your address is confirmed. You can sign in now.').waitFor();
    await signsIn(fromMail, 'hana@example.com');
    await fromMail.getByRole('heading', { name: 'Hello, Hana Sato' }).waitFor();
    await fromMail.getByText('Signed in as hana@example.com.').waitFor();
    await context.close();
  });

  test('the tab she started in goes on to the shop once the address is confirmed', async () => {
    const context = await world.browser.newContext({ locale: 'en-US' });
    const started = await signsUpFromTheShop(context, 'Ken Mori', 'ken@example.com');
    const fromMail = await context.newPage();
    await fromMail.goto(world.inbox.link('ken@example.com', '/verify-email'));
    await fromMail.getByRole('button', { name: 'Confirm my address' }).click();
    await fromMail.getByText('Your address is confirmed. You can sign in now.').waitFor();
    await fromMail.close();
    await started.bringToFront();
    await started.getByRole('link', { name: 'I have confirmed my address: sign in and continue' }).click();
    await signsIn(started, 'ken@example.com');
    await started.getByRole('heading', { name: 'Hello, Ken Mori' }).waitFor();
    await context.close();
  });
});
