import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { forEachStore, type TestMamori } from '../support/harness.ts';
import { arbitraryFor, type JsonSchema } from '../support/json-schema-arbitrary.ts';
import { registerShop, startIssuer } from '../support/oidc.ts';
import { shopApiToken } from '../support/ssf.ts';

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
    m = await startIssuer(store);
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
      15,
      'streams (5), status (2), verify, poll, account security, shop changes, undo requests (list, read, answer), accounts import',
    );
    assert.equal(calls, operations * (2 * RUNS + 3));
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
