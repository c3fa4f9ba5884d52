import { after, before } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  ATTACKER,
  ATTACKER_BROWSER,
  ATTACKER_PASSWORD,
  OWNER,
  OWNER_PASSWORD,
  STORY_ENV,
} from '../../src/cli/demo/story.ts';
import { smtpMailer } from '../../src/delivery/mailer.ts';
import { launchChromium, startServer, type RunningMamori } from './browser.ts';
import { SmtpInbox } from './smtp-inbox.ts';

export { ATTACKER, ATTACKER_PASSWORD, OWNER, OWNER_PASSWORD };

export interface StoryInChromium {
  server: RunningMamori;
  browser: Browser;
  inbox: SmtpInbox;
}

/**
 * For a describe block: the server as the story runs it (risk engine and delays off), every mail over
 * real SMTP into an inbox on loopback, and Chromium; started before its tests and stopped after.
 */
export function storyInChromium(): StoryInChromium {
  const world = { inbox: new SmtpInbox() } as StoryInChromium;
  before(async () => {
    await world.inbox.start();
    const mailer = smtpMailer(
      `smtp://127.0.0.1:${world.inbox.port}`,
      'Maple Market <no-reply@maple.example>',
      'http://localhost',
    );
    world.server = await startServer({ MAMORI_SHOP_NAME: 'Maple Market', ...STORY_ENV }, { mailer });
    world.browser = await launchChromium();
  });
  after(async () => {
    await world.browser?.close();
    await world.server?.stop();
    await world.inbox.stop();
  });
  return world;
}

/**
 * Called on each page a story helper passes through, before acting on it (the accessibility and layout
 * walk looks at every page); by default nothing.
 */
export type LookAt = (page: Page, name: string) => Promise<void>;
const glance: LookAt = async () => undefined;

export async function signInInBrowser(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').first().fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The owner registers and confirms the address by the mail she receives, in her own browser. */
export async function ownerRegistersInBrowser(
  browser: Browser,
  server: RunningMamori,
  inbox: SmtpInbox,
  look: LookAt = glance,
): Promise<{ context: BrowserContext; owner: Page }> {
  const context = await browser.newContext({ locale: 'en-US', baseURL: server.url });
  const owner = await context.newPage();
  await owner.goto('/register');
  await look(owner, 'sign-up');
  await owner.getByLabel('Your name').fill('Taro Yamada');
  await owner.getByLabel('Email address').fill(OWNER);
  await owner.getByLabel('Password').first().fill(OWNER_PASSWORD);
  await owner.getByRole('button', { name: 'Create account' }).click();
  await server.worker.runOnce();
  await owner.goto(inbox.link(OWNER, '/verify-email'));
  await look(owner, 'verify-email');
  await owner.getByRole('button', { name: 'Confirm my address' }).click();
  return { context, owner };
}

/**
 * The attacker, in another browser, with the stolen password: changes the email to their own (confirmed
 * from their own mailbox), optionally the password, and adds a shipping address.
 */
export async function attackerTakesOverInBrowser(
  browser: Browser,
  server: RunningMamori,
  inbox: SmtpInbox,
  options: { changePassword: boolean },
  look: LookAt = glance,
): Promise<{ context: BrowserContext; attacker: Page }> {
  const context = await browser.newContext({ locale: 'en-US', baseURL: server.url, userAgent: ATTACKER_BROWSER });
  const attacker = await context.newPage();
  await signInInBrowser(attacker, OWNER, OWNER_PASSWORD);
  await attacker.waitForURL('**/account');
  await attacker.getByLabel('New email address').fill(ATTACKER);
  await attacker
    .getByRole('region', { name: 'Change email address' })
    .getByLabel('Current password')
    .fill(OWNER_PASSWORD);
  await attacker.getByRole('button', { name: 'Change email address' }).click();
  await server.worker.runOnce();
  await attacker.goto(inbox.link(ATTACKER, '/confirm-email'));
  await look(attacker, 'confirm-email');
  await attacker.getByRole('button', { name: 'Confirm the new address' }).click();
  await attacker.goto('/account');
  if (options.changePassword) {
    await attacker.getByRole('region', { name: 'Change password' }).getByLabel('Current password').fill(OWNER_PASSWORD);
    await attacker.getByLabel('New password').fill(ATTACKER_PASSWORD);
    await attacker.getByRole('button', { name: 'Change password' }).click();
    await attacker.getByText('Your password was changed.').waitFor();
  }
  await attacker.getByText('Add an address').first().click();
  await attacker.getByLabel('Recipient').fill('Drop');
  await attacker.getByLabel('Postal code').fill('100-0001');
  await attacker.getByLabel('Prefecture / region').fill('Tokyo');
  await attacker.getByLabel('City').fill('Chiyoda');
  await attacker.getByLabel('Street address').fill('9-9-9');
  await attacker.getByRole('button', { name: 'Add an address' }).click();
  await attacker.getByText('Saved.').waitFor();
  await server.worker.runOnce();
  return { context, attacker };
}

/** After the wait (or a person's decision), the owner follows the mailed recovery link and signs in again. */
export async function ownerRecoversInBrowser(
  owner: Page,
  server: RunningMamori,
  inbox: SmtpInbox,
  newPassword: string,
  look: LookAt = glance,
): Promise<void> {
  await server.worker.runOnce();
  await owner.goto(inbox.link(OWNER, '/recover'));
  await look(owner, 'recover');
  await owner.getByLabel('New password').fill(newPassword);
  await owner.getByRole('button', { name: 'Set the password and open my account' }).click();
  await owner.getByText('Your account is open again').waitFor();
  await signInInBrowser(owner, OWNER, newPassword);
  await owner.waitForURL('**/account');
}
