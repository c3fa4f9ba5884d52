import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { smtpMailer } from '../../src/delivery/mailer.ts';
import { addStaff } from '../../src/services/staff/staff-accounts.ts';
import { chromiumUnavailable, launchChromium, startServer, type RunningMamori } from '../support/browser.ts';
import { SmtpInbox } from '../support/smtp-inbox.ts';
import { STORY_ENV } from '../support/story.ts';

const OWNER = 'taro@example.com';
const OWNER_PASSWORD = 'violet kettle harbour drum';
const ATTACKER = 'evil@example.net';

/**
 * Issue "the owner stays the owner", played in a real browser: the intruder uses their own copy of a
 * notice to report the account with nothing ticked. The owner must still get her account back, and the
 * intruder must learn nothing that helps them. Every mail goes over real SMTP.
 */
describe("the intruder's own report in Chromium", { skip: chromiumUnavailable ?? false }, () => {
  let server: RunningMamori;
  let browser: Browser;
  const inbox = new SmtpInbox();

  before(async () => {
    await inbox.start();
    server = await startServer({ MAMORI_SHOP_NAME: 'Maple Market', ...STORY_ENV }, { mailer: smtpMailer(`smtp://127.0.0.1:${inbox.port}`, 'Maple Market <no-reply@maple.example>', 'http://localhost') });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await inbox.stop();
  });

  async function signIn(page: Page, email: string, password: string) {
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').first().fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  test('the intruder reports with nothing ticked; the owner claims from her own address and recovers after a person decides', async () => {
    const ownerContext = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const owner = await ownerContext.newPage();
    await owner.goto('/register');
    await owner.getByLabel('Your name').fill('Taro Yamada');
    await owner.getByLabel('Email address').fill(OWNER);
    await owner.getByLabel('Password').first().fill(OWNER_PASSWORD);
    await owner.getByRole('button', { name: 'Create account' }).click();
    await server.worker.runOnce();
    await owner.goto(inbox.link(OWNER, '/verify-email'));
    await owner.getByRole('button', { name: 'Confirm my address' }).click();
    server.clock.advance(3 * 24 * 3_600_000);

    // The intruder takes the account over from their own browser and mailbox.
    const attackerContext = await browser.newContext({ locale: 'en-US', baseURL: server.url, userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36' });
    const attacker = await attackerContext.newPage();
    await signIn(attacker, OWNER, OWNER_PASSWORD);
    await attacker.waitForURL('**/account');
    await attacker.getByLabel('New email address').fill(ATTACKER);
    await attacker.getByRole('region', { name: 'Change email address' }).getByLabel('Current password').fill(OWNER_PASSWORD);
    await attacker.getByRole('button', { name: 'Change email address' }).click();
    await server.worker.runOnce();
    await attacker.goto(inbox.link(ATTACKER, '/confirm-email'));
    await attacker.getByRole('button', { name: 'Confirm the new address' }).click();
    await attacker.goto('/account');
    await attacker.getByText('Add an address').first().click();
    await attacker.getByLabel('Recipient').fill('Drop');
    await attacker.getByLabel('Postal code').fill('100-0001');
    await attacker.getByLabel('Prefecture / region').fill('Tokyo');
    await attacker.getByLabel('City').fill('Chiyoda');
    await attacker.getByLabel('Street address').fill('9-9-9');
    await attacker.getByRole('button', { name: 'Add an address' }).click();
    await attacker.getByText('Saved.').waitFor();
    await server.worker.runOnce();

    // The intruder opens THEIR copy of the notice, unticks everything and reports.
    await attacker.goto(inbox.link(ATTACKER, '/report', /shipping address was added/));
    for (const box of await attacker.getByRole('checkbox').all()) if (await box.isChecked()) await box.uncheck();
    await attacker.getByRole('button', { name: /It wasn't me/ }).click();
    await attacker.getByTestId('incident-state').waitFor();
    assert.match(await attacker.getByTestId('incident-state').innerText(), /A person is checking who this account belongs to/);
    assert.equal(await attacker.getByLabel('Phone number to call').count(), 0, 'no call-back for a newcomer');
    assert.equal(await attacker.getByRole('heading', { name: 'What was undone' }).count(), 0);
    assert.equal(await attacker.getByText(OWNER).count(), 0);

    // The owner: her old link leads to the incident; she says the account is hers.
    await server.worker.runOnce();
    const secured = inbox.to(OWNER).find((mail) => /We secured your Maple Market account/.test(mail.subject ?? ''));
    assert.ok(secured, 'the owner is told at her own address');
    await owner.goto(inbox.link(OWNER, '/report', /email address of your Maple Market account was changed/));
    await owner.getByText('This account is already protected').waitFor();
    await owner.getByRole('button', { name: 'Open the incident page' }).click();
    await owner.getByRole('heading', { name: 'What was undone' }).waitFor();
    await owner.getByRole('button', { name: 'This is my account' }).click();
    await owner.getByText('A person will confirm it and open recovery at your address').waitFor();

    // Hours pass: no clock opens recovery for a newcomer's report.
    server.clock.advance(6 * 3_600_000);
    await server.worker.runOnce();
    assert.equal(inbox.to(OWNER).filter((mail) => /Recover your/.test(mail.subject ?? '')).length, 0);

    // A person decides for the owner.
    const admin = await addStaff(server.deps, { email: 'aiko@maple.example', name: 'Aiko Tanaka', role: 'admin' });
    const staffContext = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const staff = await staffContext.newPage();
    await staff.goto('/staff/sign-in');
    await staff.getByLabel('Email address').fill('aiko@maple.example');
    await staff.getByLabel('Password').first().fill(admin.password);
    await staff.getByLabel('6-digit code').fill(new TOTP({ secret: Secret.fromBase32(admin.totpSecret), digits: 6, period: 30 }).generate({ timestamp: server.clock.now().getTime() }));
    await staff.getByRole('button', { name: 'Sign in', exact: true }).click();
    await staff.waitForURL('**/staff');
    await staff.getByRole('link', { name: OWNER }).first().click();
    await staff.getByTestId('newcomer-report').waitFor();
    assert.match(await staff.getByTestId('newcomer-report').innerText(), /which may not be the owner/);
    await staff.getByLabel('The owner is right: open recovery now').check();
    await staff.getByLabel('Reason (kept on record)').first().fill('The owner claimed from the address she had before the intrusion.');
    await staff.getByRole('button', { name: 'Decide the dispute' }).click();
    await staff.getByText("Done. The action is on the account's record.").waitFor();

    await server.worker.runOnce();
    await owner.goto(inbox.link(OWNER, '/recover'));
    await owner.getByLabel('New password').fill('fresh start lantern meadow');
    await owner.getByRole('button', { name: 'Set the password and open my account' }).click();
    await owner.getByText('Your account is open again').waitFor();
    await signIn(owner, OWNER, 'fresh start lantern meadow');
    await owner.waitForURL('**/account');
    assert.equal(await owner.getByTestId('account-email').textContent(), OWNER);

    // The intruder was mailed nothing that helps: no incident, recovery or objection link.
    const intruderLinks = inbox.to(ATTACKER).flatMap((mail) => [...(mail.text ?? '').matchAll(/https?:\/\/\S+/g)].map((x) => x[0]));
    assert.ok(!intruderLinks.some((link) => /\/(incident|recover|object)\?/.test(link)), intruderLinks.join('\n'));

    await ownerContext.close();
    await attackerContext.close();
    await staffContext.close();
  });
});
