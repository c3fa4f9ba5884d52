import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { keptCardNumbers, PAN_VARIANTS } from '../support/card-numbers.ts';
import { registerAndVerify } from '../support/flows.ts';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { arbitraryFor, type JsonSchema } from '../support/json-schema-arbitrary.ts';
import { registerShop, startIssuer } from '../support/oidc.ts';
import { shopApiToken } from '../support/ssf.ts';
import { API_SCOPES } from '../../src/core/oidc/api-scopes.ts';

interface Operation {
  parameters?: { name: string; in: 'path' | 'query'; schema: JsonSchema; required?: boolean }[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}
interface ApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

const RUNS = 20;
/** Every API scope, so each operation is reached (and a new scope cannot be forgotten here). */
const ALL_SCOPES = API_SCOPES.join(' ');

type Path = (string | number)[];

/** The schema with every property required and every list and map holding one entry: every field is sent. */
function complete(schema: JsonSchema, resolve: (ref: string) => JsonSchema): JsonSchema {
  if (schema.$ref) return complete(resolve(schema.$ref), resolve);
  const out: JsonSchema = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, property]) => [name, complete(property, resolve)]),
    );
    out.required = Object.keys(schema.properties);
  }
  if (schema.items) out.items = complete(schema.items, resolve);
  if (schema.type === 'array') out.minItems = 1;
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    out.additionalProperties = complete(schema.additionalProperties, resolve);
    out.minProperties = 1;
  }
  if (schema.anyOf) out.anyOf = schema.anyOf.map((option) => complete(option, resolve));
  if (schema.oneOf) out.oneOf = schema.oneOf.map((option) => complete(option, resolve));
  return out;
}

/** The paths of every string in a value. */
function stringPaths(value: unknown, path: Path = []): Path[] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringPaths(item, [...path, i]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, key]));
  return [];
}

function withValueAt(value: unknown, path: Path, replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head] = withValueAt(copy[head], rest, replacement);
  return copy;
}

const pathName = (path: Path) =>
  path.reduce<string>(
    (name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${part}` : part),
    '',
  );

/** Fields whose format a generator of printable text would not meet, given valid values so the rest is stored. */
function madeValid(body: unknown, real: Record<string, string>): unknown {
  if (Array.isArray(body)) return body.map((item) => madeValid(item, real));
  if (!body || typeof body !== 'object') return body;
  const fixed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'value' && typeof value === 'string') fixed[key] = '5000';
    else if (key === 'currency') fixed[key] = 'JPY';
    else if (key === 'country') fixed[key] = 'JP';
    else if (key === 'ip') fixed[key] = '203.0.113.9';
    else if (key === 'method') fixed[key] = 'urn:ietf:rfc:8936';
    else if (key in real) fixed[key] = real[key];
    else fixed[key] = madeValid(value, real);
  }
  return fixed;
}

/**
 * The OpenAPI document and the server checked against each other (issue 15): every operation called with
 * requests generated from the document's own schemas (fast-check), valid and invalid; every answer has a
 * documented status and matches the documented schema; no answer is a 5xx.
 */
forEachStore('API contract', (store) => {
  let m: TestMamori & { issuer: string };
  let token: string;
  let doc: ApiDocument;
  before(async () => {
    // The fuzz makes hundreds of calls with one shop's token: the budget is tested in machine-limits.test.ts.
    m = await startIssuer(store, { MAMORI_API_REQUESTS_PER_MINUTE: '100000' });
    const shop = await registerShop(m);
    token = await shopApiToken(m.issuer, shop, 'ssf.manage ssf.read account:read accounts:import');
    doc = (await (await fetch(`${m.issuer}/api/v1/openapi.json`)).json()) as ApiDocument;
  });
  after(async () => {
    await m.close();
  });

  test('every operation, generated valid and invalid requests: documented statuses and bodies, never a 5xx', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const resolve = (ref: string) => {
      const schema = doc.components.schemas[ref.replace('#/components/schemas/', '')];
      if (!schema) throw new Error(`unresolved ${ref}`);
      return schema;
    };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validatorFor = (schema: JsonSchema) => ajv.compile({ ...schema, components: doc.components });
    const problems: string[] = [];
    let calls = 0;

    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        const paramArbs = Object.fromEntries(
          (op.parameters ?? []).map((p) => [p.name, arbitraryFor(p.schema, resolve)]),
        );
        const bodySchema = op.requestBody?.content['application/json'].schema;
        const valid = fc.record({
          params: fc.record(paramArbs),
          body: bodySchema ? arbitraryFor(bodySchema, resolve) : fc.constant(undefined),
        });
        const invalid = fc.record({
          params: fc.record(paramArbs),
          body: bodySchema
            ? fc.oneof(
                fc.jsonValue(),
                arbitraryFor(bodySchema, resolve).map((body) =>
                  typeof body === 'object' && body !== null ? { ...body, unexpected: true } : body,
                ),
              )
            : fc.constant(undefined),
        });
        const call = async (
          { params, body }: { params: Record<string, unknown>; body: unknown },
          withToken: boolean,
        ): Promise<void> => {
          let url = path;
          const query = new URLSearchParams();
          for (const p of op.parameters ?? []) {
            const value = params[p.name];
            if (value === undefined) continue;
            if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(String(value)));
            else query.set(p.name, String(value));
          }
          const res = await fetch(`${m.issuer}${url}${query.size ? `?${query}` : ''}`, {
            method: method.toUpperCase(),
            headers: {
              ...(withToken ? { authorization: `Bearer ${token}` } : {}),
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          calls += 1;
          const where = `${method.toUpperCase()} ${url} ${JSON.stringify(body)?.slice(0, 120)}`;
          const documented = op.responses[String(res.status)];
          const text = await res.text();
          if (res.status >= 500) problems.push(`${where}: ${res.status}`);
          if (!documented) return void problems.push(`${where}: undocumented status ${res.status}`);
          const type = (res.headers.get('content-type') ?? '').split(';')[0] ?? '';
          const schema = documented.content?.[type]?.schema;
          if (!documented.content) return;
          if (!schema) return void problems.push(`${where}: undocumented content type ${type} for ${res.status}`);
          const validate = validatorFor(schema);
          if (!validate(JSON.parse(text)))
            problems.push(`${where}: ${res.status} body does not match: ${ajv.errorsText(validate.errors)}`);
        };
        await fc.assert(
          fc.asyncProperty(valid, (request) => call(request, true)),
          { numRuns: RUNS },
        );
        await fc.assert(
          fc.asyncProperty(invalid, (request) => call(request, true)),
          { numRuns: RUNS },
        );
        await fc.assert(
          fc.asyncProperty(valid, (request) => call(request, false)),
          { numRuns: 3 },
        );
      }
    assert.deepEqual(problems.slice(0, 20), []);
    const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    assert.equal(
      operations,
      17,
      'streams (5), status (2), verify, subjects (add, remove), poll, account security, shop changes, undo requests (list, read, answer), accounts import',
    );
    assert.equal(calls, operations * (2 * RUNS + 3));
  });

  test('a shop puts a card number in every string field of every operation: each refused by name; 0 stored, 0 mailed', async () => {
    const resolve = (ref: string) => doc.components.schemas[ref.replace('#/components/schemas/', '')] ?? {};
    const shop = await registerShop(m, { name: 'Careless shop' });
    const all = await shopApiToken(m.issuer, shop, ALL_SCOPES);
    await registerAndVerify(m, 'card-holder@example.com');
    const sub = (await m.deps.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow()).id;
    const stream = await fetch(`${m.issuer}/api/v1/ssf/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${all}`, 'content-type': 'application/json' },
      body: JSON.stringify({ delivery: { method: 'urn:ietf:rfc:8936' } }),
    });
    const real = { sub, stream_id: ((await stream.json()) as { stream_id: string }).stream_id };
    const send = async (method: string, path: string, params: Record<string, unknown>, body: unknown) => {
      let url = path;
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(params))
        if (url.includes(`{${name}}`)) url = url.replace(`{${name}}`, encodeURIComponent(String(value)));
        else query.set(name, String(value));
      const res = await fetch(`${m.issuer}${url}${query.size ? `?${query}` : ''}`, {
        method: method.toUpperCase(),
        headers: {
          authorization: `Bearer ${all}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
    };

    const problems: string[] = [];
    let refused = 0;
    let stored = 0;
    let seed = 1;
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        const bodySchema = op.requestBody?.content['application/json'].schema;
        const whole = bodySchema ? complete(bodySchema, resolve) : undefined;
        // Each shape of a body that has several (the six kinds of shop change) is sent on its own.
        const shapes = whole ? (whole.oneOf ?? whole.anyOf ?? [whole]) : [undefined];
        for (const shape of shapes) {
          const request = () => {
            seed += 1;
            const params = Object.fromEntries(
              (op.parameters ?? []).map((p) => [
                p.name,
                real[p.name as keyof typeof real] ??
                  fc.sample(arbitraryFor(p.schema, resolve), { numRuns: 1, seed })[0],
              ]),
            );
            const body = shape
              ? madeValid(fc.sample(arbitraryFor(shape, resolve), { numRuns: 1, seed })[0], real)
              : undefined;
            return { params, body };
          };
          const control = request();
          const accepted = await send(method, path, control.params, control.body);
          if (accepted.status < 300 && method !== 'get') stored += 1;
          if (accepted.text.includes('card-number-refused'))
            problems.push(`${method} ${path}: refused without a card number: ${accepted.text}`);
          for (const field of [
            ...Object.keys(control.params).map((name) => ['params', name]),
            ...stringPaths(control.body).map((p) => ['body', ...p]),
          ]) {
            const pan = PAN_VARIANTS[refused % PAN_VARIANTS.length]!;
            // The control request itself, with the card number at this one field: a fresh random body
            // might not have the field at all (a shorter list), and would be built around it.
            const { params, body } = structuredClone(control);
            const [where, ...at] = field as ['params' | 'body', ...Path];
            const res =
              where === 'params'
                ? await send(method, path, { ...params, [String(at[0])]: pan }, body)
                : await send(method, path, params, withValueAt(body, at, pan));
            refused += 1;
            const name = pathName(at);
            const detail = res.text.includes('"detail"')
              ? String((JSON.parse(res.text) as { detail: string }).detail)
              : '';
            if (
              res.status !== 400 ||
              !res.type.startsWith('application/problem+json') ||
              !res.text.includes('card-number-refused')
            )
              problems.push(`${method} ${path} ${name}: ${res.status} ${res.text.slice(0, 200)}`);
            else if (!detail.startsWith(`${name}:`)) problems.push(`${method} ${path} ${name}: detail names ${detail}`);
          }
        }
      }
    // A hostile shop's body nested ten thousand deep: refused like any other, the refusal itself bounded.
    const deep = `${'['.repeat(10_000)}"${PAN_VARIANTS[0]}"${']'.repeat(10_000)}`;
    const nested = await fetch(`${m.issuer}/api/v1/accounts/${sub}/shop-changes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${all}`, 'content-type': 'application/json' },
      body: deep,
    });
    const nestedText = await nested.text();
    assert.equal(nested.status, 400);
    assert.match(nestedText, /card-number-refused/);
    assert.ok(nestedText.length < 2000, `${nestedText.length} characters`);
    await m.deliver();
    assert.deepEqual({ problems: problems.slice(0, 20), kept: await keptCardNumbers(m) }, { problems: [], kept: [] });
    assert.ok(refused > 60, `${refused} card numbers sent`);
    assert.ok(
      stored >= 6,
      `the same requests without a card number are stored (${stored}): the six shop changes at least`,
    );
    assert.ok(m.mailer.sent.length > 0, 'the stored shop changes were announced');
  });

  test('the reference page lists every operation with its scope, in English and Japanese', async () => {
    for (const [language, title] of [
      ['en', 'Mamori API reference'],
      ['ja', 'Mamori API リファレンス'],
    ] as const) {
      const res = await fetch(`${m.issuer}/api/v1/docs`, { headers: { 'accept-language': language } });
      assert.equal(res.status, 200);
      const page = await res.text();
      assert.match(page, new RegExp(`<h1[^>]*>${title}</h1>`));
      for (const [path, item] of Object.entries(doc.paths))
        for (const method of Object.keys(item)) assert.ok(page.includes(`${method.toUpperCase()} ${path}`), path);
      assert.match(page, /<code>ssf\.manage<\/code>/);
    }
  });
});
