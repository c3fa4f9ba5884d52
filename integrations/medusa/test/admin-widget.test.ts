import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumUnavailable, launchChromium } from '../../../test/support/browser.ts';
import { postgresUnavailable, stopClusterIfStarted } from '../../../test/support/postgres.ts';
import { STORY_ENV } from '../../../test/support/story.ts';
import { ADMIN, PROJECT_DIR } from '../scripts/medusa-server.ts';
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
      world = await mamoriAndMedusa('sqlite', STORY_ENV, { medusaEnv: { MEDUSA_ADMIN: 'true' } });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await world?.close();
      await stopTemplateCluster();
      await stopClusterIfStarted();
    });

    test('a held order: counted on the order list, why and since when on its page; an unheld order: nothing', async () => {
      const store = await seedStore(world.medusa.url);
      const { ownerOrder, stolen } = await anIntrudersOrderHeld(world, store);
      const page = await browser.newPage();
      page.setDefaultTimeout(120_000);
      await page.goto(`${world.medusa.url}/app/login`);
      await page.getByRole('textbox', { name: 'Email' }).fill(ADMIN.email);
      await page.getByPlaceholder('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Continue with Email' }).click();
      await page.waitForURL('**/app/orders**');

      const list = page.getByRole('region', { name: 'Orders held by Mamori', exact: true });
      await list.getByText('1 order is held at an account owner’s request').waitFor();
      await list.getByRole('link', { name: `Order #${stolen.display_id}` }).click();
      await page.waitForURL(`**/app/orders/${stolen.id}`);
      await page.getByRole('heading', { name: `#${stolen.display_id}`, exact: true }).waitFor();
      const hold = page.getByRole('region', { name: 'Held by Mamori', exact: true });
      const text = await hold.innerText();
      assert.match(text, /account was taken over/);
      assert.match(text, /Mamori contained the account, and this order was placed while someone else was signed in/);
      assert.match(text, /Held since/);
      assert.match(text, /answered “held” to request \S+; it waits for the account owner’s decision/);
      assert.match(text, /Releasing or cancelling it is the customer’s decision, made through Mamori/);

      await page.goto(`${world.medusa.url}/app/orders/${ownerOrder.id}`);
      await page.getByRole('heading', { name: `#${ownerOrder.display_id}`, exact: true }).waitFor();
      assert.equal(await page.getByRole('region', { name: 'Held by Mamori', exact: true }).count(), 0);
      assert.equal(await page.getByText(/held by Mamori|Mamori contained/i).count(), 0);

      // A staff member who reads the admin in Japanese (the dashboard's language cookie) reads it in Japanese.
      await page.context().addCookies([{ name: 'lng', value: 'ja', url: world.medusa.url }]);
      await page.goto(`${world.medusa.url}/app/orders/${stolen.id}`);
      const japanese = await page.getByRole('region', { name: 'Mamori により保留中', exact: true }).innerText();
      assert.match(japanese, /お客様のアカウントが乗っ取られました/);
      assert.match(japanese, /お客様が Mamori で決めます/);
      await page.close();
    });
  },
);

/**
 * The test above runs the admin through Vite's development server; a store runs the production bundle
 * `medusa build` makes (Rollup, stricter about imports: this is where @medusajs/admin-sdk was missing).
 */
test('medusa build --admin-only bundles the widgets', { timeout: 600_000 }, () => {
  const unused = 'http://127.0.0.1:9';
  const assets = join(PROJECT_DIR, '.medusa', 'admin', 'assets');
  rmSync(join(PROJECT_DIR, '.medusa', 'admin'), { recursive: true, force: true });
  const result = spawnSync(
    process.execPath,
    [join(PROJECT_DIR, 'node_modules', '@medusajs', 'cli', 'cli.js'), 'build', '--admin-only'],
    {
      cwd: PROJECT_DIR,
      encoding: 'utf8',
      timeout: 600_000,
      env: {
        ...process.env,
        MEDUSA_ADMIN: 'true',
        MEDUSA_DISABLE_TELEMETRY: 'true',
        DATABASE_URL: 'postgres://unused@127.0.0.1:9/unused',
        JWT_SECRET: 'unused',
        COOKIE_SECRET: 'unused',
        MAMORI_ISSUER: unused,
        MAMORI_CLIENT_ID: 'unused',
        MAMORI_CLIENT_SECRET: 'unused',
        MAMORI_CALLBACK_URL: unused,
      },
    },
  );
  assert.equal(result.status, 0, result.stderr.slice(-2000) + result.stdout.slice(-2000));
  const bundle = readdirSync(assets)
    .filter((name) => name.endsWith('.js'))
    .map((name) => readFileSync(join(assets, name), 'utf8'))
    .join('\n');
  for (const words of ['Held by Mamori', 'Mamori により保留中', '/admin/mamori/held-orders', 'mamori_hold'])
    assert.ok(bundle.includes(words), `the admin bundle has ${words}`);
});
