import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumUnavailable, launchChromium } from '../../../test/support/browser.ts';
import { postgresUnavailable, stopClusterIfStarted } from '../../../test/support/postgres.ts';
import { STORY_ENV } from '../../../test/support/story.ts';
import { ADMIN } from '../scripts/medusa-server.ts';
import { seedStore } from '../scripts/store-api.ts';
import { anIntrudersOrderHeld } from './support/held-order.ts';
import { mamoriAndMedusa, stopTemplateCluster, type MedusaWorld } from './support/medusa-beside.ts';

/**
 * Medusa's admin dashboard, served by the Medusa server (only this file turns it on), in Chromium: the
 * staff member signs in, sees the held order counted above the order list, opens it and reads why
 * Mamori holds it; an order Mamori does not hold shows nothing of it. Mamori runs on SQLite only here:
 * what is under test is Medusa's admin, and each Medusa server costs a minute of this machine.
 */
describe(
  'Medusa’s admin shows the orders Mamori holds',
  { skip: postgresUnavailable ?? chromiumUnavailable ?? false, timeout: 900_000 },
  () => {
    let world: MedusaWorld;
    let browser: Browser;
    before(async () => {
      world = await mamoriAndMedusa('sqlite', STORY_ENV, { MEDUSA_ADMIN: 'true' });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await world?.close();
      await stopTemplateCluster();
      await stopClusterIfStarted();
    });

    test('a held order: counted above the list, why and since when on its page; an unheld order: nothing', async () => {
      const store = await seedStore(world.medusa.url);
      const { ownerOrder, stolen } = await anIntrudersOrderHeld(world, store);
      const page = await browser.newPage();
      page.setDefaultTimeout(120_000);
      await page.goto(`${world.medusa.url}/app/login`);
      await page.getByRole('textbox', { name: 'Email' }).fill(ADMIN.email);
      await page.getByPlaceholder('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Continue with Email' }).click();
      await page.waitForURL('**/app/orders**');

      const held = page.getByRole('region', { name: 'Held by Mamori' });
      await held.getByText('1 order is held at an account owner’s request').waitFor();
      await held.getByRole('link', { name: `Order #${stolen.display_id}` }).click();
      await page.waitForURL(`**/app/orders/${stolen.id}`);
      const hold = page.getByRole('region', { name: 'Held by Mamori' });
      await hold.waitFor();
      const text = await hold.innerText();
      assert.match(text, /account was taken over/);
      assert.match(text, /Mamori contained the account, and this order was placed while someone else was signed in/);
      assert.match(text, /Held since/);
      assert.match(text, /answered “held” to request \S+; it waits for the account owner’s decision/);
      assert.match(text, /Releasing or cancelling it is the customer’s decision, made through Mamori/);

      await page.goto(`${world.medusa.url}/app/orders/${ownerOrder.id}`);
      await page.getByRole('heading', { name: `#${ownerOrder.display_id}` }).waitFor();
      assert.equal(await page.getByRole('region', { name: 'Held by Mamori' }).count(), 0);
      assert.equal(await page.getByText('Held by Mamori').count(), 0);
      await page.close();
    });
  },
);
