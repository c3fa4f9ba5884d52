import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumUnavailable } from '../support/browser.ts';
import { exampleShopBeside, signInAtShop } from '../support/example-shop-beside.ts';
import {
  OWNER,
  OWNER_PASSWORD,
  ownerRecoversInBrowser,
  ownerRegistersInBrowser,
  storyInChromium,
} from '../support/browser-story.ts';

const NEW_PASSWORD = 'fresh start lantern meadow';

async function placeOrder(page: Page, item: string, amount: string, address: string): Promise<void> {
  await page.getByLabel('Item').fill(item);
  await page.getByLabel('Amount (yen)').fill(amount);
  await page.getByLabel('Delivery address').fill(address);
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByText(`${item} → ${address}`).waitFor();
}

/** One held order's card on the incident page, found by its heading. */
const heldOrder = (page: Page, id: string) =>
  page
    .getByRole('region', { name: 'Orders the shop is holding' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: `Order #${id}`, exact: true }) });

/**
 * Issue 25 in Chromium: the intruder orders twice at the example shop; the owner contains, the shop holds
 * both; on the incident page she releases the one that was hers and cancels the other; the shop carries
 * out both and answers, she sees the answers, and the shop's own order page says released and cancelled.
 */
describe('held orders are hers to decide, in Chromium', { skip: chromiumUnavailable ?? false }, () => {
  const world = storyInChromium();
  const shop = exampleShopBeside(world);

  test('the owner releases one held order and cancels another; the shop carries out both and the incident page shows its answers', async () => {
    const { server, browser, inbox } = world;
    const { context: ownerContext, owner } = await ownerRegistersInBrowser(browser, server, inbox);
    await signInAtShop(owner, shop.url, OWNER_PASSWORD);
    server.clock.advance(3 * 24 * 3_600_000);

    // Day 3: someone with the password orders twice, to two new addresses, from a new browser.
    const otherContext = await browser.newContext({ locale: 'en-US' });
    const other = await otherContext.newPage();
    await signInAtShop(other, shop.url, OWNER_PASSWORD);
    await placeOrder(other, 'Rice cooker', '50000', 'Office, 4-5-6 Otemachi');
    await placeOrder(other, 'Gift card 30,000 yen', '30000', 'Drop, 9-9-9 Chiyoda');

    // The owner contains from the notice; the shop holds both orders and says so.
    await server.worker.runOnce();
    await owner.goto(inbox.link(OWNER, '/report', /An order to a new address was placed|changes were reported/));
    await owner.getByRole('button', { name: /It wasn't me/ }).click();
    await owner.getByTestId('incident-state').waitFor();
    await server.worker.runOnce();
    await owner.reload();
    const cooker = heldOrder(owner, '1');
    const giftCard = heldOrder(owner, '2');
    await cooker.getByText('Rice cooker').waitFor();
    await cooker.getByText('¥50,000').waitFor();
    await cooker.getByText('Office, 4-5-6 Otemachi').waitFor();
    await cooker.getByText(/Held by the shop/).waitFor();
    await giftCard.getByText('¥30,000').waitFor();

    // The rice cooker was hers (ordered for the office); the gift card was not.
    await cooker.getByRole('button', { name: 'This was mine: release it' }).click();
    await owner.getByText('Your choice was sent to the shop.').waitFor();
    await heldOrder(owner, '2').getByRole('button', { name: 'Cancel it' }).click();
    await owner.getByText('Your choice was sent to the shop.').waitFor();

    // The shop hears both decisions, carries them out and answers; the owner sees the answers.
    await server.worker.runOnce();
    await owner.reload();
    await heldOrder(owner, '1')
      .getByText(/Released by the shop/)
      .waitFor();
    await heldOrder(owner, '2')
      .getByText(/Cancelled by the shop/)
      .waitFor();
    if ((await heldOrder(owner, '1').getByRole('button').count()) !== 0) throw new Error('a decided order has buttons');
    await owner.screenshot({ path: 'test-results/held-orders-decided.png', fullPage: true }).catch(() => undefined);

    // After recovery she signs in to the shop: one order released and on its way, the other cancelled.
    server.clock.advance(5 * 3_600_000);
    await ownerRecoversInBrowser(owner, server, inbox, NEW_PASSWORD);
    await signInAtShop(owner, shop.url, NEW_PASSWORD);
    await owner.getByText(/#1 Rice cooker → Office, 4-5-6 Otemachi · ¥50,000 \(released/).waitFor();
    await owner.getByText(/#2 Gift card 30,000 yen → Drop, 9-9-9 Chiyoda · ¥30,000 \(cancelled/).waitFor();
    await ownerContext.close();
    await otherContext.close();
  });
});
