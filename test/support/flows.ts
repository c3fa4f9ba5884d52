import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { addStaff } from '../../src/services/support/staff-accounts.ts';
import type { TestMamori } from './harness.ts';
import { pathOf, TestClient, tokenOf } from './http-client.ts';

export const PASSWORD = 'violet kettle harbour drum';

export async function registerAndVerify(m: TestMamori, email: string, password = PASSWORD): Promise<TestClient> {
  const client = new TestClient(m.app);
  await client.get('/register');
  const res = await client.post('/register', { name: 'Hana Sato', email, password });
  assert.equal(res.statusCode, 200, res.body);
  await m.deliver();
  const link = m.mailer.link(email, '/verify-email');
  await client.get(pathOf(link));
  const verified = await client.post('/verify-email', { token: tokenOf(link) });
  assert.equal(verified.statusCode, 303);
  return client;
}

/**
 * Signs in as a person would: when the risk engine challenges the browser (new to the account), the
 * code is read from the mail and entered. A TOTP second step is left to the test.
 */
export async function signIn(
  m: TestMamori,
  email: string,
  password = PASSWORD,
  client = new TestClient(m.app),
  extra: Record<string, string> = {},
) {
  await client.get('/sign-in');
  const res = await secondStepIfMailed(m, client, email, await client.post('/sign-in', { email, password, ...extra }));
  return { client, res };
}

/** After the password: the code mailed to a browser the account does not know yet, when that is asked for. */
export async function secondStepIfMailed(
  m: TestMamori,
  client: TestClient,
  email: string,
  res: LightMyRequestResponse,
) {
  const next = String(res.headers.location ?? '');
  if (res.statusCode !== 303 || !next.startsWith('/sign-in/two-step')) return res;
  const page = await client.get(next);
  if (!page.body.includes('name="code"') || !page.body.includes('/sign-in/two-step/resend')) return res;
  await m.deliver();
  return client.post(next, { code: m.mailer.signInCode(email) });
}

/** Only the password step: what the risk engine made of it is left to the test. */
export async function postSignIn(client: TestClient, email: string, password = PASSWORD) {
  await client.get('/sign-in');
  return client.post('/sign-in', { email, password });
}

/** A support desk member of that role, created and signed in with password and a current TOTP code. */
export async function staffSignedIn(m: TestMamori, role: 'admin' | 'agent'): Promise<TestClient> {
  const email = `${role}@maple.example`;
  const who = await addStaff(m.deps, { email, name: role === 'admin' ? 'Aiko Tanaka' : 'Ken Mori', role });
  const client = new TestClient(m.app);
  await client.get('/staff/sign-in');
  const code = new TOTP({ secret: Secret.fromBase32(who.totpSecret), digits: 6, period: 30 }).generate({
    timestamp: m.clock.now().getTime(),
  });
  assert.equal((await client.post('/staff/sign-in', { email, password: who.password, code })).statusCode, 303);
  return client;
}
