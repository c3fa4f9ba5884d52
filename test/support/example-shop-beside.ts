import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Page } from 'playwright-core';
import { startShop } from '../../examples/shop/shop.ts';
import { addClient } from '../../src/services/oidc/clients.ts';
import { OWNER, type LookAt, type StoryInChromium } from './browser-story.ts';
import { freePort } from './loopback.ts';

export interface ShopBeside {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The shop's own SQLite file, for tests that check what it stored. */
  databaseFile: string;
  close(): Promise<void>;
}

/**
 * The example shop beside the story's Mamori, registered as a first-party client (with a back-channel
 * logout URI unless told otherwise), its data in a folder of its own, started before the suite's tests
 * and stopped after them. The returned object is filled in by the `before` hook.
 */
export function exampleShopBeside(world: StoryInChromium, options: { backchannelLogout?: boolean } = {}): ShopBeside {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-example-shop-'));
  const shop = { databaseFile: join(dir, 'shop.db') } as ShopBeside;
  before(async () => {
    const port = await freePort();
    const shopUrl = `http://localhost:${port}`;
    const { client, clientSecret } = await addClient(world.server.deps, {
      name: 'Maple Market storefront',
      redirectUris: [`${shopUrl}/callback`],
      postLogoutRedirectUris: [`${shopUrl}/`],
      ...(options.backchannelLogout === false ? {} : { backchannelLogoutUri: `${shopUrl}/backchannel-logout` }),
      firstParty: true,
    });
    const started = await startShop({
      issuer: world.server.url,
      clientId: client.clientId,
      clientSecret,
      port,
      databaseFile: shop.databaseFile,
      now: () => world.server.clock.now(),
    });
    Object.assign(shop, { url: started.url, clientId: client.clientId, clientSecret, close: () => started.close() });
  });
  after(async () => {
    await shop.close?.();
    rmSync(dir, { recursive: true, force: true });
  });
  return shop;
}

/** Signs the owner in at the shop through Mamori's own sign-in page, as a customer would. */
export async function signInAtShop(
  page: Page,
  shopUrl: string,
  password: string,
  look: LookAt = async () => undefined,
): Promise<void> {
  await page.goto(shopUrl);
  await page.getByRole('link', { name: 'Sign in with Mamori' }).click();
  // Mamori's sign-in form (at the authorization's interaction), or the shop at once for a browser signed in.
  const signInForm = page.getByRole('heading', { name: 'Sign in', exact: true });
  await signInForm.or(page.getByRole('heading', { name: 'Hello, Taro Yamada' })).waitFor();
  if (await signInForm.isVisible()) {
    await look(page, 'sign-in for the shop');
    await page.getByLabel('Email address').fill(OWNER);
    await page.getByLabel('Password').first().fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }
  await page
    .getByRole('heading', { name: 'Hello, Taro Yamada' })
    .waitFor({ timeout: 10_000 })
    .catch(async (error: unknown) => {
      const main = (await page.locator('main').innerText()).slice(0, 400);
      throw new Error(`not back at the shop: ${page.url()}\n${main}`, { cause: error });
    });
}
