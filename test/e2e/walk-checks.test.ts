import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumUnavailable } from '../support/browser.ts';
import {
  ATTACKER,
  attackerTakesOverInBrowser,
  OWNER,
  OWNER_PASSWORD,
  ownerRecoversInBrowser,
  ownerRegistersInBrowser,
  storyInChromium,
} from '../support/browser-story.ts';
import { exampleShopBeside, signInAtShop } from '../support/example-shop-beside.ts';
import { bottomOnFirstScreen, squeezedCells } from '../support/layout-checks.ts';
import { DESKTOP, LANGUAGES, lookingAtEveryPage, PHONE, SHOTS, WIDTHS } from '../support/page-looks.ts';

/** The pages of the walk pictured in docs/screenshots, each language and width. */
const PICTURED = new Set(['sign-in for the shop', 'report', 'incident', 'checklist']);
const NEW_PASSWORD = 'fresh start lantern meadow';

/** The report page's button, on a phone, with the page scrolled to its top. */
async function buttonBottomOnPhone(page: Page, language: 'ja' | 'en'): Promise<number> {
  const url = new URL(page.url());
  url.searchParams.set('lang', language);
  await page.goto(url.href);
  await page.setViewportSize(PHONE);
  const name = language === 'ja' ? /心当たりがない/ : /It wasn't me/;
  return bottomOnFirstScreen(page, page.getByRole('button', { name }));
}

/** The timeline: cards on a phone, a table with its column headers for a screen reader at either width. */
async function timelineAsCardsOnPhone(page: Page): Promise<void> {
  const timeline = page.getByRole('region', { name: 'Timeline' });
  for (const width of WIDTHS) {
    await page.setViewportSize(width.size);
    const headers = timeline.getByRole('columnheader');
    assert.deepEqual(await headers.allInnerTexts(), ['When', 'What', 'From'], `column headers at ${width.name} width`);
  }
  await page.setViewportSize(PHONE);
  assert.equal(await squeezedCells(page, 'table.activity'), 0, 'on a phone each timeline cell has the card’s width');
  await page.setViewportSize(DESKTOP);
  assert.ok(
    await timeline.getByRole('columnheader', { name: 'When' }).isVisible(),
    'on a desktop the header row shows',
  );
}

async function placeOrder(page: Page, item: string, amount: string, address: string): Promise<void> {
  await page.getByLabel('Item').fill(item);
  await page.getByLabel('Amount (yen)').fill(amount);
  await page.getByLabel('Delivery address').fill(address);
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByText(`${item} → ${address}`).waitFor();
}

/**
 * Issue 25 (phone, checks): the shopper's walk across Mamori and the example shop, every page it reaches
 * looked at in both languages at 390 px and 1280 px; on a phone the report page's button is on the first
 * screen.
 */
describe(
  'every page of the walk, in both languages, on a phone and a desktop',
  { skip: chromiumUnavailable ?? false },
  () => {
    const world = storyInChromium();
    const shop = exampleShopBeside(world);

    test('axe finds no WCAG 2.1 A/AA violation, nothing is wider than the window, the report button is on the first screen', async () => {
      mkdirSync(SHOTS, { recursive: true });
      const { server, browser, inbox } = world;
      const findings: string[] = [];
      const look = lookingAtEveryPage(findings, PICTURED);

      // A visitor: the public pages.
      const visitorContext = await browser.newContext({ locale: 'en-US', baseURL: server.url });
      const visitor = await visitorContext.newPage();
      for (const [path, name] of [
        ['/sign-in', 'sign-in'],
        ['/forgot-password', 'forgot password'],
      ] as const) {
        await visitor.goto(path);
        await look(visitor, name);
      }

      // The owner signs up, confirms her address from the mail, signs in at the shop; her account pages.
      const { context: ownerContext, owner } = await ownerRegistersInBrowser(browser, server, inbox, look);
      await signInAtShop(owner, shop.url, OWNER_PASSWORD, look);

      // The mailed link to set a new password, as the visitor asks it for her address.
      await visitor.goto('/forgot-password');
      await visitor.getByLabel('Email address').fill(OWNER);
      await visitor.getByRole('button', { name: 'Send the link' }).click();
      await visitor.getByText(/a link is on its way/).waitFor();
      await server.worker.runOnce();
      await visitor.goto(inbox.link(OWNER, '/reset-password'));
      await look(visitor, 'reset password');
      await visitorContext.close();
      await look(owner, 'shop, signed in');
      for (const [path, name] of [
        ['/account', 'account'],
        ['/account/sessions', 'sessions'],
        ['/account/activity', 'activity'],
        ['/account/two-step', 'two-step'],
        ['/account/passkeys', 'passkeys'],
      ] as const) {
        await owner.goto(`${server.url}${path}`);
        await look(owner, name);
      }
      server.clock.advance(3 * 24 * 3_600_000);

      // Day 3: someone with the password orders at the shop, then takes the account over.
      const otherContext = await browser.newContext({ locale: 'en-US' });
      const other = await otherContext.newPage();
      await signInAtShop(other, shop.url, OWNER_PASSWORD);
      await placeOrder(other, 'Gift card 30,000 yen', '30000', 'Drop, 9-9-9 Chiyoda');
      await look(other, 'shop, an order placed');
      const { context: attackerContext } = await attackerTakesOverInBrowser(
        browser,
        server,
        inbox,
        { changePassword: true },
        look,
      );

      // The owner opens the notice: on a phone the button is on the first screen, in either language.
      await owner.goto(inbox.link(OWNER, '/report', /email address of your Maple Market account was changed/));
      await look(owner, 'report');
      for (const language of LANGUAGES) {
        const bottom = await buttonBottomOnPhone(owner, language);
        assert.ok(
          bottom <= PHONE.height,
          `report (${language}): the button ends at ${bottom}px, below the first screen`,
        );
      }
      await owner.getByRole('button', { name: /It wasn't me/ }).click();
      await owner.getByTestId('incident-state').waitFor();
      await server.worker.runOnce();
      const objector = await attackerContext.newPage();
      await objector.goto(inbox.link(ATTACKER, '/object'));
      await look(objector, 'object');

      // The waiting page: a held order decided, a message and a call-back asked for.
      await owner.reload();
      const held = owner.getByRole('region', { name: 'Orders the shop is holding' });
      await held.getByRole('button', { name: 'Cancel it' }).first().click();
      await owner.getByText('Your choice was sent to the shop.').waitFor();
      // Writing and asking to be called are two sections, each under its own heading.
      const write = owner.getByRole('region', { name: 'Write to a person' });
      await write.getByLabel('Your message').fill('The gift card was not mine.');
      await write.getByRole('button', { name: 'Send to support' }).click();
      await owner.getByText('Received. A person will get back to you.').waitFor();
      const call = owner.getByRole('region', { name: 'Ask to be called' });
      assert.equal(await call.getByLabel('Your message').count(), 0, 'the message is not part of the call-back');
      await call.getByLabel('Phone number to call').fill('+81 90-1234-5678');
      await call.getByLabel('When suits you').fill('today after 18:00');
      await call.getByRole('button', { name: 'Ask for a call back' }).click();
      await owner.getByText('Received. A person will get back to you.').waitFor();
      await server.worker.runOnce();
      await look(owner, 'incident');
      await timelineAsCardsOnPhone(owner);

      // Another notice's link, spent by containment, leads back to the incident.
      await owner.goto(inbox.link(OWNER, '/report', /shipping address was added/));
      await look(owner, 'report, already protected');

      // Five hours on: recovery, the checklist, the shop again.
      server.clock.advance(5 * 3_600_000);
      await ownerRecoversInBrowser(owner, server, inbox, NEW_PASSWORD, look);
      await owner.getByRole('heading', { name: 'Finish recovering' }).waitFor();
      await look(owner, 'checklist');
      await signInAtShop(owner, shop.url, NEW_PASSWORD, look);
      await look(owner, 'shop, after recovery');

      await ownerContext.close();
      await otherContext.close();
      await attackerContext.close();
      assert.deepEqual(findings, [], `\n${findings.join('\n')}`);
    });
  },
);
