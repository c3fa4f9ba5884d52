import assert from 'node:assert/strict';
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

export async function signIn(m: TestMamori, email: string, password = PASSWORD, client = new TestClient(m.app)) {
  await client.get('/sign-in');
  const res = await client.post('/sign-in', { email, password });
  return { client, res };
}

