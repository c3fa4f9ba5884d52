import assert from 'node:assert/strict';
import type { TestMamori } from './harness.ts';
import { pathOf, TestClient, tokenOf } from './http-client.ts';
import { PASSWORD, registerAndVerify, signIn } from './flows.ts';

export const OWNER = 'taro@example.com';
export const ATTACKER = 'evil@example.net';
export const ATTACKER_PASSWORD = 'attacker chose this long phrase';

/**
 * The story up to the notice: the owner has an account and a known device; the attacker signs in with
 * the stolen password from a new browser, changes the email (confirming it from their own mailbox),
 * the password, and adds a shipping address.
 */
export async function attackerTakesOver(m: TestMamori): Promise<{ owner: TestClient; attacker: TestClient }> {
  const owner = await registerAndVerify(m, OWNER);
  await signIn(m, OWNER, PASSWORD, owner);
  m.clock.advance(3 * 24 * 3_600_000);

  const attacker = new TestClient(m.app, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36' });
  assert.equal((await signIn(m, OWNER, PASSWORD, attacker)).res.statusCode, 303);
  m.clock.advance(60_000);
  await attacker.get('/account');
  assert.equal((await attacker.post('/account/email', { newEmail: ATTACKER, currentPassword: PASSWORD })).statusCode, 303);
  await m.deliver();
  const confirm = m.mailer.link(ATTACKER, '/confirm-email');
  await attacker.get(pathOf(confirm));
  assert.equal((await attacker.post('/confirm-email', { token: tokenOf(confirm) })).statusCode, 303);
  m.clock.advance(60_000);
  await attacker.get('/account');
  assert.equal((await attacker.post('/account/password', { currentPassword: PASSWORD, newPassword: ATTACKER_PASSWORD, signOutOthers: 'yes' })).statusCode, 303);
  await attacker.get('/account');
  assert.equal(
    (await attacker.post('/account/addresses', { recipient: 'Drop', postalCode: '100-0001', region: 'Tokyo', city: 'Chiyoda', line1: '9-9-9', country: 'JP' })).statusCode,
    303,
  );
  await m.deliver();
  return { owner, attacker };
}

/** The link in the owner's "your email address was changed" notice. */
export function emailChangedReportLink(m: TestMamori): string {
  const notice = m.mailer.to(OWNER).find((mail) => /email address of your .* account was changed/.test(mail.subject));
  const link = notice?.text.match(/This wasn't me: (\S+)/)?.[1];
  assert.ok(link, 'the old address got the notice with a report link');
  return link;
}

/** The undo items the report page ticks by default, as a browser would submit them. */
export function checkedUndo(pageBody: string): string[] {
  return [...pageBody.matchAll(/name="undo" value="([^"]+)" checked/g)].map((match) => match[1] ?? '');
}

/** Opens the report link and confirms with the default selection; returns the status page path. */
export async function reportWithDefaults(m: TestMamori, link: string, client = new TestClient(m.app)): Promise<string> {
  const page = await client.get(pathOf(link));
  const res = await client.post('/report', { token: tokenOf(link), undo: checkedUndo(page.body) });
  assert.equal(res.statusCode, 303);
  return String(res.headers.location);
}
