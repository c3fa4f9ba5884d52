import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { attackerTakesOver, emailChangedReportLink, OWNER, ownerSignsUp } from '../../src/cli/demo/story.ts';
import { MemoryMailer } from '../../src/delivery/memory-mailer.ts';
import { addStaff } from '../../src/services/support/staff-accounts.ts';
import { chromiumUnavailable, launchChromium, startServer, type RunningMamori } from '../support/browser.ts';
import { sidewaysOverflow } from '../support/layout-checks.ts';
import { STORY_ENV } from '../support/story.ts';

/** Where screenshots go: test-results by default; docs/screenshots when refreshing the committed ones. */
const SHOTS = process.env.MAMORI_SCREENSHOTS ?? 'test-results';

describe('the support desk in Chromium', { skip: chromiumUnavailable ?? false }, () => {
  let server: RunningMamori;
  let browser: Browser;
  const mailer = new MemoryMailer();
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer(
      { MAMORI_SHOP_NAME: 'Maple Market', MAMORI_DEFAULT_LOCALE: 'en', ...STORY_ENV },
      { mailer },
    );
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function staffSignIn(
    page: Page,
    email: string,
    credentials: { password: string; totpSecret: string },
    labels: { email: string; password: string; code: string; submit: string },
  ) {
    await page.goto('/staff/sign-in');
    await page.getByLabel(labels.email).fill(email);
    await page.getByLabel(labels.password).first().fill(credentials.password);
    await page.getByLabel(labels.code).fill(
      new TOTP({ secret: Secret.fromBase32(credentials.totpSecret), digits: 6, period: 30 }).generate({
        timestamp: server.clock.now().getTime(),
      }),
    );
    await page.getByRole('button', { name: labels.submit, exact: true }).click();
    await page.waitForURL('**/staff');
  }

  test('the locked-out owner asks for a call back; an agent sees it first with its clock, replies, logs the call and opens recovery; the owner sees the reply', async () => {
    const world = { app: server.app, clock: server.clock, mailer, deliver: () => server.worker.runOnce() };
    await ownerSignsUp(world);
    server.clock.advance(3 * 24 * 3_600_000);
    await attackerTakesOver(world);
    const reportPath = emailChangedReportLink(world).replace(/^https?:\/\/[^/]+/, '');

    // The owner, locked out, reports and asks for a call back from the incident page.
    const ownerContext = await browser.newContext({ locale: 'en-US', baseURL: server.url });
    const owner = await ownerContext.newPage();
    await owner.goto(reportPath);
    await owner.getByRole('button', { name: "It wasn't me — secure my account" }).click();
    await owner.getByLabel('Phone number to call').fill('+81 90-1234-5678');
    await owner.getByLabel('When suits you').fill('today after 18:00');
    await owner.getByRole('button', { name: 'Ask for a call back' }).click();
    await owner.getByText('Received. A person will get back to you.').waitFor();
    const statusUrl = owner.url();
    server.clock.advance(12 * 60_000);

    const agent = await addStaff(server.deps, { email: 'ken@maple.example', name: 'Ken Mori', role: 'agent' });
    const staffContext = await browser.newContext({
      locale: 'en-US',
      baseURL: server.url,
      viewport: { width: 1280, height: 800 },
    });
    const staff = await staffContext.newPage();
    await staffSignIn(staff, 'ken@maple.example', agent, {
      email: 'Email address',
      password: 'Password',
      code: '6-digit code',
      submit: 'Sign in',
    });
    const first = staff.locator('table.queue tbody tr').first();
    assert.match(
      (await first.textContent()) ?? '',
      /first response due in 48 min[\s\S]*Call back[\s\S]*\+81 90-1234-5678/,
    );
    await staff.screenshot({ path: `${SHOTS}/queue-en.png`, fullPage: true });

    await first.getByRole('link', { name: OWNER }).click();
    await staff.getByRole('heading', { name: `Case: ${OWNER}` }).waitFor();
    await staff.screenshot({ path: `${SHOTS}/case-en.png`, fullPage: true });
    const casePath = new URL(staff.url()).pathname;

    // The same pages in Japanese (the agent's cookie in a Japanese browser), and the queue on a phone.
    const ja = await browser.newContext({
      locale: 'ja-JP',
      baseURL: server.url,
      viewport: { width: 1280, height: 800 },
    });
    await ja.addCookies(await staffContext.cookies());
    const jaPage = await ja.newPage();
    await jaPage.goto('/staff');
    await jaPage.getByRole('heading', { name: '対応キュー' }).waitFor();
    assert.match(
      (await jaPage.locator('table.queue tbody tr').first().textContent()) ?? '',
      /初回対応まで残り48分[\s\S]*折り返し電話/,
    );
    await jaPage.screenshot({ path: `${SHOTS}/queue-ja.png`, fullPage: true });
    await jaPage.goto(casePath);
    await jaPage.getByRole('heading', { name: `案件：${OWNER}` }).waitFor();
    await jaPage.screenshot({ path: `${SHOTS}/case-ja.png`, fullPage: true });
    const phone = await browser.newContext({
      locale: 'en-US',
      baseURL: server.url,
      viewport: { width: 390, height: 844 },
      isMobile: true,
    });
    await phone.addCookies(await staffContext.cookies());
    const phonePage = await phone.newPage();
    await phonePage.goto('/staff');
    const overflow = await phonePage.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `the queue fits a phone (overflow ${overflow}px)`);
    await phonePage.screenshot({ path: `${SHOTS}/queue-phone-en.png`, fullPage: true });
    await phonePage.goto(casePath);
    assert.deepEqual(await sidewaysOverflow(phonePage), [], 'the case, its timeline included, fits a phone');
    await phone.close();

    await staff
      .getByLabel('Your reply')
      .fill('We have secured your account. I will call you after 18:00 to confirm it is you.');
    await staff.getByRole('button', { name: 'Send' }).click();
    await staff.getByText('Reply sent.').waitFor();
    await staff.getByLabel('Outcome').selectOption('reached');
    await staff.getByLabel('Duration (minutes)').fill('6');
    await staff
      .getByLabel('What was said')
      .fill('Spoke with the owner; they answered the questions about their orders.');
    await staff.getByRole('button', { name: 'Log a call' }).click();
    await staff.getByText('Call logged.').waitFor();
    await staff.getByLabel('Recovery opens in (minutes from now)').fill('0');
    await staff
      .getByLabel('Reason (kept on record)')
      .fill('Owner verified by phone; no objection from the other address.');
    await staff.getByRole('button', { name: 'Change the waiting period' }).click();
    await staff.getByText("Done. The action is on the account's record.").waitFor();
    await server.worker.runOnce();
    await server.worker.runOnce();

    // The owner sees the reply on the incident page and in the mailbox; recovery is open.
    await owner.goto(statusUrl);
    assert.match((await owner.getByTestId('support-replies').textContent()) ?? '', /I will call you after 18:00/);
    const mails = mailer.to(OWNER).map((m) => m.subject);
    assert.ok(mails.includes('A reply from Maple Market support'), mails.join(' | '));
    assert.ok(mails.includes('Recover your Maple Market account now'), mails.join(' | '));

    await staff.goto('/staff');
    assert.doesNotMatch(
      (await staff.locator('body').textContent()) ?? '',
      /\+81 90-1234-5678/,
      'the answered call-back left the queue',
    );
    await staff.goto('/staff/dashboard?days=7');
    await staff.screenshot({ path: `${SHOTS}/dashboard-en.png`, fullPage: true });

    await jaPage.goto('/staff/dashboard?days=7');
    await jaPage.getByRole('heading', { name: 'ダッシュボード' }).waitFor();
    await jaPage.screenshot({ path: `${SHOTS}/dashboard-ja.png`, fullPage: true });
    await ja.close();
    await ownerContext.close();
    await staffContext.close();
  });
});
