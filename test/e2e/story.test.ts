import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chromiumUnavailable } from '../support/browser.ts';
import {
  attackerTakesOverInBrowser,
  OWNER,
  OWNER_PASSWORD,
  ownerRecoversInBrowser,
  ownerRegistersInBrowser,
  storyInChromium,
  signInInBrowser,
} from '../support/browser-story.ts';

/**
 * seed/STORY.md in a real browser: the attacker and the owner each in their own browser context, every
 * notice read back over real SMTP, the fake clock moved through the 5-hour wait.
 */
describe('the story in Chromium', { skip: chromiumUnavailable ?? false }, () => {
  const world = storyInChromium();

  test('attacker takes over; one click from the notice contains and undoes; 5 h later the owner recovers', async () => {
    const { server, browser, inbox } = world;
    const { context: ownerContext, owner } = await ownerRegistersInBrowser(browser, server, inbox);
    await signInInBrowser(owner, OWNER, OWNER_PASSWORD);
    await owner.waitForURL('**/account');
    server.clock.advance(3 * 24 * 3_600_000);

    // Day 3: the attacker, in another browser, with the stolen password.
    const { context: attackerContext, attacker } = await attackerTakesOverInBrowser(browser, server, inbox, {
      changePassword: true,
    });

    // The owner's old address got the notice, over SMTP, with the way to act.
    const notice = inbox
      .to(OWNER)
      .find((m) => /email address of your Maple Market account was changed/.test(m.subject ?? ''));
    assert.ok(notice, 'notice to the old address');
    assert.match(notice.text ?? '', /Before: taro@example\.com/);
    assert.match(notice.text ?? '', /Chrome 129/);
    const reportLink = inbox.link(OWNER, '/report', /email address of your Maple Market account was changed/);

    await owner.goto(reportLink);
    await owner.getByRole('heading', { name: 'Was this you?' }).waitFor();
    assert.ok(await owner.getByText('Shipping address added').first().isVisible());
    await owner.getByRole('button', { name: /It wasn't me/ }).click();
    await owner.getByTestId('incident-state').waitFor();
    assert.match(await owner.getByTestId('incident-state').innerText(), /Waiting period running/);
    assert.match(await owner.locator('.countdown').innerText(), /in 5 h$/);
    await owner.screenshot({ path: 'test-results/story-incident-page.png', fullPage: true }).catch(() => undefined);

    // The attacker's next request finds them signed out.
    await attacker.goto('/account');
    assert.match(attacker.url(), /\/sign-in/);

    // A person is reachable while locked: a call-back request from the incident page.
    await owner.getByLabel('Phone number to call').fill('+81 90-1234-5678');
    await owner.getByLabel('When suits you').fill('today after 18:00');
    await owner.getByRole('button', { name: 'Ask for a call back' }).click();
    await owner.getByText('Received. A person will get back to you.').waitFor();

    // Five hours pass on the fake clock; the worker opens recovery and mails the restored address.
    server.clock.advance(5 * 3_600_000);
    await ownerRecoversInBrowser(owner, server, inbox, 'fresh start lantern meadow');
    await owner.getByRole('heading', { name: 'Finish recovering' }).waitFor();
    assert.ok(await owner.getByText('Confirm your shipping addresses.').isVisible());
    assert.equal(await owner.getByTestId('account-email').textContent(), OWNER);
    await owner.screenshot({ path: 'test-results/story-checklist.png', fullPage: true }).catch(() => undefined);

    await ownerContext.close();
    await attackerContext.close();
  });
});
