import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import {
  chromiumUnavailable,
  launchChromium,
  mailedSignInCode,
  startServer,
  type RunningMamori,
} from '../support/browser.ts';
import { virtualAuthenticator } from '../support/virtual-authenticator.ts';

const PASSWORD = 'violet kettle harbour drum';

/** Registers and verifies an account through the pages and the development mailbox; leaves the page signed in. */
async function registerAndSignIn(server: RunningMamori, page: Page, email: string): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Your name').fill('Hana Sato');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: false }).first().fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  await server.worker.runOnce();
  const mail = await server.deps.db
    .selectFrom('dev_mailbox')
    .select('text_body')
    .where('recipient', '=', email)
    .executeTakeFirstOrThrow();
  const link = /https?:\/\/\S+\/verify-email\?token=[\w-]+/.exec(mail.text_body)?.[0] ?? '';
  await page.goto(link.replace(/^https?:\/\/[^/]+/, ''));
  await page.getByRole('button', { name: 'Confirm my address' }).click();
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').first().fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/account');
}

/** Adds the account's first passkey from its account page; the page then shows the new recovery codes. */
async function addFirstPasskey(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name: 'Passkeys' }).click();
  await page.getByLabel(/^Name/).fill(name);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByTestId('recovery-codes').waitFor();
}

/** The sign-in form with an address and password, submitted. */
async function submitPassword(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').first().fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('passkeys, TOTP and risk challenges in Chromium', { skip: chromiumUnavailable ?? false }, () => {
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

  /** A signed-in account in a browser with a virtual authenticator. */
  async function accountWithAuthenticator(email: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const page = await context.newPage();
    await virtualAuthenticator(context, page);
    await registerAndSignIn(server, page, email);
    return { context, page };
  }

  test('register a passkey, sign out, sign in with it (no address typed); the notice reached the owner', async () => {
    const { context, page } = await accountWithAuthenticator('passkey@example.com');
    await addFirstPasskey(page, 'Test laptop');
    assert.equal(
      await page.locator('[data-testid="recovery-codes"] li').count(),
      10,
      'the first second factor brings recovery codes',
    );
    await page.goto('/account/passkeys');
    assert.match((await page.getByTestId('passkey-list').textContent()) ?? '', /Test laptop/);

    await server.worker.runOnce();
    const notice = await server.deps.db
      .selectFrom('dev_mailbox')
      .select('subject')
      .where('recipient', '=', 'passkey@example.com')
      .where('subject', 'like', '%Two-step%')
      .executeTakeFirst();
    assert.ok(notice, 'adding a passkey is announced');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL('**/account');
    assert.equal(await page.getByTestId('account-email').textContent(), 'passkey@example.com');

    // With a passkey bound, the password alone no longer signs in: the second step offers the passkey.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await submitPassword(page, 'passkey@example.com');
    await page.getByRole('button', { name: 'Use my passkey' }).click();
    await page.waitForURL('**/account');
    await context.close();
  });

  test('an account that had a passkey recovers with it after an intrusion, even one the intruder removed: the mailed link alone is not enough', async () => {
    const { context, page } = await accountWithAuthenticator('keeper@example.com');
    await addFirstPasskey(page, 'Phone');
    await page.getByRole('button', { name: 'Sign out' }).click();

    // An hour later a session on this account adds a delivery address the owner never asked for.
    server.clock.advance(3_600_000);
    await submitPassword(page, 'keeper@example.com');
    await page.getByRole('button', { name: 'Use my passkey' }).click();
    await page.waitForURL('**/account');
    await page.getByText('Add an address', { exact: true }).first().click();
    await page.getByLabel('Recipient').fill('K. Drop');
    await page.getByLabel('Postal code').fill('590-0001');
    await page.getByLabel('Prefecture / region').fill('Osaka');
    await page.getByLabel('City').fill('Sakai');
    await page.getByLabel('Street address').fill('9-9 Warehouse Row');
    await page.getByLabel(/^Country/).fill('JP');
    await page.getByRole('button', { name: 'Add an address' }).click();
    await page.waitForURL('**/account?notice=saved');
    // And takes the passkey off the account.
    await page.goto('/account/passkeys');
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('button', { name: 'Remove' }).waitFor({ state: 'detached' });
    const keeper = await server.deps.db
      .selectFrom('accounts')
      .select('id')
      .where('email', '=', 'keeper@example.com')
      .executeTakeFirstOrThrow();
    const inUse = () =>
      server.deps.db
        .selectFrom('passkeys')
        .select('id')
        .where('account_id', '=', keeper.id)
        .where('removed_at', 'is', null)
        .execute();
    assert.equal((await inUse()).length, 0, 'no passkey in use');

    const mailed = async (path: string, subject: string) => {
      await server.worker.runOnce();
      const rows = await server.deps.db
        .selectFrom('dev_mailbox')
        .select('text_body')
        .where('recipient', '=', 'keeper@example.com')
        .where('subject', 'like', `%${subject}%`)
        .execute();
      const link =
        rows.map((row) => new RegExp(`https?://\\S+${path}\\?token=[\\w-]+`).exec(row.text_body)?.[0]).find(Boolean) ??
        '';
      assert.ok(link, `a ${path} link was mailed`);
      return link.replace(/^https?:\/\/[^/]+/, '');
    };
    // A report from the very session that made the changes would go to a person (it may be the intruder's):
    // the owner reads her mail after that session has ended.
    await page.goto('/account');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(await mailed('/report', 'shipping address was added'));
    // The owner leaves the removal as it is (only the address is undone): the passkey they had still counts.
    await page.getByLabel(/Two-step sign-in turned off/).uncheck();
    await page.getByRole('button', { name: /It wasn't me/ }).click();
    await page.getByTestId('incident-state').waitFor();

    server.clock.advance(5 * 3_600_000);
    await page.goto(await mailed('/recover', ''));
    await page.getByLabel('New password').fill('second spring orchard lamp');
    await page.getByRole('button', { name: 'Set the password and open my account' }).click();
    await page.getByText('This account had two-step sign-in before the intrusion').first().waitFor();
    assert.equal(
      (
        await server.deps.db
          .selectFrom('accounts')
          .select('status')
          .where('email', '=', 'keeper@example.com')
          .executeTakeFirstOrThrow()
      ).status,
      'locked',
      'the link alone opened nothing',
    );

    await page.getByLabel('New password').fill('second spring orchard lamp');
    await page.getByRole('button', { name: 'Confirm with my passkey' }).click();
    await page.getByText('Your account is open again').waitFor();
    // Proven in recovery, it is the account's passkey again: the next sign-in asks for it.
    assert.equal((await inUse()).length, 1);
    await submitPassword(page, 'keeper@example.com', 'second spring orchard lamp');
    await page.getByRole('button', { name: 'Use my passkey' }).click();
    await page.waitForURL('**/account');
    assert.equal(
      await server.deps.db.selectFrom('addresses').select('id').where('removed_at', 'is', null).executeTakeFirst(),
      undefined,
      'the address was undone',
    );
    await context.close();
  });

  test('enrol TOTP and sign in with a code; a new set of recovery codes replaces the old', async () => {
    const context = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const page = await context.newPage();
    await registerAndSignIn(server, page, 'totp@example.com');
    await page.goto('/account/two-step');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
    await page.getByLabel('6-digit code').fill(totp.generate({ timestamp: server.clock.now().getTime() }));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    const firstCodes = await page.locator('[data-testid="recovery-codes"] code').allTextContents();

    await page.getByRole('button', { name: 'Sign out' }).click();
    server.clock.advance(60_000);
    await submitPassword(page, 'totp@example.com');
    await page.getByLabel('Code').fill(totp.generate({ timestamp: server.clock.now().getTime() }));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/account');

    // The printed codes are lost: a new set replaces them, and only the new set signs in.
    await page.goto('/account/two-step');
    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    const newCodes = await page.locator('[data-testid="recovery-codes"] code').allTextContents();
    assert.equal(newCodes.length, 10);
    assert.ok(!newCodes.some((code) => firstCodes.includes(code)));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await submitPassword(page, 'totp@example.com');
    await page.getByLabel('Code').fill(firstCodes[0] ?? '');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('That code is not valid').first().waitFor();
    await page.getByLabel('Code').fill(newCodes[0] ?? '');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/account');
    await context.close();
  });

  test('the right password from a new browser is challenged, and the mailed code completes the sign-in', async () => {
    const home = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    await registerAndSignIn(server, await home.newPage(), 'travel@example.com');
    const elsewhere = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const page = await elsewhere.newPage();
    await submitPassword(page, 'travel@example.com');
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await page.goto('/account');
    assert.match(page.url(), /\/sign-in/, 'no session before the code');
    await page.goBack();
    await page.goto('/sign-in/two-step');
    await page.getByLabel('6-digit code from the email').fill('000000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('That code is not valid').first().waitFor();
    await page.getByLabel('6-digit code from the email').fill(await mailedSignInCode(server, 'travel@example.com'));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/account');
    assert.equal(await page.getByTestId('account-email').textContent(), 'travel@example.com');
    await home.close();
    await elsewhere.close();
  });
});
