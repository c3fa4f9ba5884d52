import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { addStaff } from '../../src/services/support/staff-accounts.ts';
import { chromiumUnavailable } from '../support/browser.ts';
import {
  ATTACKER,
  attackerTakesOverInBrowser,
  OWNER,
  ownerRecoversInBrowser,
  ownerRegistersInBrowser,
  storyInChromium,
} from '../support/browser-story.ts';

/**
 * Issue "the owner stays the owner", played in a real browser: the intruder uses their own copy of a
 * notice to report the account with nothing ticked. The owner must still get her account back, and the
 * intruder must learn nothing that helps them. Every mail goes over real SMTP.
 */
describe("the intruder's own report in Chromium", { skip: chromiumUnavailable ?? false }, () => {
  const world = storyInChromium();

  test('the intruder reports with nothing ticked; the owner claims from her own address and recovers after a person decides', async () => {
    const { server, browser, inbox } = world;
    const { context: ownerContext, owner } = await ownerRegistersInBrowser(browser, server, inbox);
    server.clock.advance(3 * 24 * 3_600_000);

    // The intruder takes the account over from their own browser and mailbox.
    const { context: attackerContext, attacker } = await attackerTakesOverInBrowser(browser, server, inbox, {
      changePassword: false,
    });

    // The intruder opens THEIR copy of the notice, unticks everything and reports.
    await attacker.goto(inbox.link(ATTACKER, '/report', /shipping address was added/));
    for (const box of await attacker.getByRole('checkbox').all()) if (await box.isChecked()) await box.uncheck();
    await attacker.getByRole('button', { name: /It wasn't me/ }).click();
    await attacker.getByTestId('incident-state').waitFor();
    assert.match(
      await attacker.getByTestId('incident-state').innerText(),
      /A person is checking who this account belongs to/,
    );
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
    await staff.getByLabel('6-digit code').fill(
      new TOTP({ secret: Secret.fromBase32(admin.totpSecret), digits: 6, period: 30 }).generate({
        timestamp: server.clock.now().getTime(),
      }),
    );
    await staff.getByRole('button', { name: 'Sign in', exact: true }).click();
    await staff.waitForURL('**/staff');
    await staff.getByRole('link', { name: OWNER }).first().click();
    await staff.getByTestId('newcomer-report').waitFor();
    assert.match(await staff.getByTestId('newcomer-report').innerText(), /which may not be the owner/);
    await staff.getByLabel('The owner is right: open recovery now').check();
    await staff
      .getByLabel('Reason (kept on record)')
      .first()
      .fill('The owner claimed from the address she had before the intrusion.');
    await staff.getByRole('button', { name: 'Decide the dispute' }).click();
    await staff.getByText("Done. The action is on the account's record.").waitFor();

    await ownerRecoversInBrowser(owner, server, inbox, 'fresh start lantern meadow');
    assert.equal(await owner.getByTestId('account-email').textContent(), OWNER);

    // The intruder was mailed nothing that helps: no incident, recovery or objection link.
    const intruderLinks = inbox
      .to(ATTACKER)
      .flatMap((mail) => [...(mail.text ?? '').matchAll(/https?:\/\/\S+/g)].map((x) => x[0]));
    assert.ok(!intruderLinks.some((link) => /\/(incident|recover|object)\?/.test(link)), intruderLinks.join('\n'));

    await ownerContext.close();
    await attackerContext.close();
    await staffContext.close();
  });
});
