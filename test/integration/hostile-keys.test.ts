import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { registerAndVerify, signIn, staffSignedIn } from '../support/flows.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';

/** Every route the app has, read from Fastify's own route tree, with the methods each answers. */
function routesOf(app: FastifyInstance): { path: string; methods: string[] }[] {
  const stack: { depth: number; path: string }[] = [];
  const routes: { path: string; methods: string[] }[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ├└─]*)(\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length;
    while (stack.length > 0 && (stack.at(-1)?.depth ?? 0) >= depth) stack.pop();
    const path = `${stack.at(-1)?.path ?? ''}${match[2]}`;
    stack.push({ depth, path });
    routes.push({ path, methods: (match[3] ?? '').split(', ').filter((m) => m === 'GET' || m === 'POST') });
  }
  return routes;
}

const HOSTILE = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
const FIELDS = [
  'notice',
  'done',
  'returnTo',
  'token',
  'decision',
  'kind',
  'item',
  'locale',
  'undo',
  'email',
  'password',
  'code',
  'to',
  'id',
  'changeId',
  'incidentId',
  'requestId',
];

/** A form whose every field (and the prototype's own names as fields) carries a prototype key. */
function hostileForm(value: string, csrf: string): Record<string, string> {
  const form = JSON.parse(JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, value])))) as Record<string, string>;
  for (const name of HOSTILE)
    Object.defineProperty(form, name, { value, enumerable: true, writable: true, configurable: true });
  form._csrf = csrf;
  return form;
}

forEachStore('prototype keys in every query and form field', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store, { MAMORI_SIGN_IN_LIMIT_PER_MINUTE: '100000' });
  });
  afterEach(async () => {
    await m.close();
  });

  test('no route answers 5xx or shows a stack, signed out, as a customer or as staff', async () => {
    const customer = await registerAndVerify(m, 'hana@example.com');
    await signIn(m, 'hana@example.com', undefined, customer);
    const staff = await staffSignedIn(m, 'admin');
    const accountId = (await m.deps.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow()).id;

    const routes = routesOf(m.app).filter((r) => r.path !== '/*' && !r.path.startsWith('/static'));
    assert.ok(routes.length > 50, `found ${routes.length} routes`);
    let calls = 0;
    for (const client of [new TestClient(m.app), customer, staff]) {
      await client.get(client === staff ? '/staff' : '/account');
      for (const route of routes) {
        for (const value of HOSTILE) {
          const path = route.path.replace(/:accountId/g, accountId).replace(/:[A-Za-z]+/g, value);
          const query = FIELDS.map((f) => `${f}=${encodeURIComponent(value)}`).join('&');
          for (const method of route.methods) {
            const res =
              method === 'GET'
                ? await client.get(`${path}?${query}`)
                : await client.post(`${path}?${query}`, hostileForm(value, client.csrf));
            calls += 1;
            assert.ok(res.statusCode < 500, `${method} ${path} with ${value}: ${res.statusCode}`);
            assert.doesNotMatch(
              res.body,
              /at [\w.<>]+ \(|node:internal|TypeError|ReferenceError/,
              `${method} ${path} leaks a stack`,
            );
          }
        }
      }
    }
    assert.ok(calls > 500);
  });
});
