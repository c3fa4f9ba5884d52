import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import Provider from 'oidc-provider';
import * as client from 'openid-client';
import { KyselyOidcAdapter, oidcAdapterFactory, sweepExpiredOidc } from '../../src/services/oidc/adapter.ts';
import { groupCommit } from '../../src/store/group-commit.ts';
import { upsertOidcPayload, upsertOidcPayloadNow } from '../../src/store/oidc-payloads.ts';
import { linkOidcSession, oidcSessionUidsOf, sessionIdOfOidcSession } from '../../src/store/oidc-session-links.ts';
import { forEachStore, startMamori, type TestMamori } from '../support/harness.ts';

/**
 * The OpenID Provider's persistence (issue 14, first brick): oidc-provider's adapter contract on one
 * table, on both stores, with the fake clock; then the real provider running a code + PKCE flow on it.
 */
forEachStore('OpenID Provider adapter', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
  });
  afterEach(async () => {
    await m.close();
  });

  const adapter = (kind: string) => new KyselyOidcAdapter(m.deps, kind, groupCommit(m.deps.db));

  test('upsert, find, consume and destroy by model; a row past its expiry is gone', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('code-1', { grantId: 'g1', accountId: 'a1', clientId: 'shop' }, 60);
    assert.deepEqual(await codes.find('code-1'), { grantId: 'g1', accountId: 'a1', clientId: 'shop' });
    assert.equal(await adapter('AccessToken').find('code-1'), undefined, 'models do not see each other');
    await codes.consume('code-1');
    assert.equal((await codes.find('code-1'))?.consumed, Math.floor(m.clock.now().getTime() / 1000));
    m.clock.advance(61_000);
    assert.equal(await codes.find('code-1'), undefined, 'expired');
    await codes.upsert('code-2', { grantId: 'g1' }, 60);
    await codes.destroy('code-2');
    assert.equal(await codes.find('code-2'), undefined);
  });

  test('group commit: writes from concurrent requests share a commit, each settles once durable, and a bad one fails alone', async () => {
    const commit = groupCommit(m.deps.db);
    const codes = new KyselyOidcAdapter(m.deps, 'AuthorizationCode', commit);
    const counting = groupCommit(m.deps.db);
    const firstTried = new Map<string, unknown>();
    const write = (id: string) => (trx: Parameters<Parameters<typeof commit>[0]>[0]) => {
      if (!firstTried.has(id)) firstTried.set(id, trx);
      return trx
        .insertInto('oidc_payloads')
        .values({
          kind: 'Probe',
          id,
          payload: '{}',
          grant_id: null,
          uid: null,
          user_code: null,
          expires_at: null,
          consumed_at: null,
        })
        .execute()
        .then(() => undefined);
    };
    // Ten writes in one turn: one transaction; every promise settles after its row is there.
    const settled = await Promise.allSettled([
      ...Array.from({ length: 9 }, (_, i) => counting(write(`p${i}`))),
      counting(write('p0')), // the same primary key again: this one fails, and only this one
    ]);
    const shared = new Set(firstTried.values());
    assert.equal(shared.size, 1, 'one shared transaction was tried first');
    assert.equal((firstTried.get('p1') as { isTransaction: boolean }).isTransaction, true);
    assert.deepEqual(
      settled.map((r) => r.status),
      [...Array.from({ length: 9 }, () => 'fulfilled'), 'rejected'],
    );
    const rows = await m.deps.db.selectFrom('oidc_payloads').select('id').where('kind', '=', 'Probe').execute();
    assert.equal(rows.length, 9, 'the good writes were kept when the shared commit failed');
    // The adapter writes through it: what upsert resolved is there to find, consumed once consume resolved.
    await Promise.all([codes.upsert('c1', { grantId: 'g' }, 60), codes.upsert('c2', { grantId: 'g' }, 60)]);
    await codes.consume('c1');
    assert.ok((await codes.find('c1'))?.consumed);
    assert.equal((await codes.find('c2'))?.consumed, undefined);
  });

  test('group commit at once: writes with their `now` form share one transaction straight on SQLite, a bad one fails alone, a held connection waits its turn', async () => {
    const commit = groupCommit(m.deps.db);
    const ran: string[] = [];
    // A null payload breaks the table's NOT NULL in either form: a write that fails wherever it runs.
    const probe = (id: string) => ({
      kind: 'Probe',
      id,
      payload: id === 'bad' ? (null as unknown as string) : '{}',
      grant_id: null,
      uid: null,
      user_code: null,
      expires_at: null,
      consumed_at: null,
    });
    const insert = (id: string) =>
      commit(
        async (trx) => {
          ran.push(`kysely ${id}`);
          await upsertOidcPayload(trx, probe(id));
        },
        (atOnce) => {
          ran.push(`now ${id}`);
          upsertOidcPayloadNow(atOnce, probe(id));
        },
      );
    const probes = async () =>
      (await m.deps.db.selectFrom('oidc_payloads').select('id').where('kind', '=', 'Probe').execute())
        .map((r) => r.id)
        .sort();

    // Three in one turn: on SQLite one transaction run at once; on PostgreSQL the Kysely path as before.
    await Promise.all([insert('a'), insert('b'), insert('c')]);
    assert.deepEqual(ran, store === 'sqlite' ? ['now a', 'now b', 'now c'] : ['kysely a', 'kysely b', 'kysely c']);
    assert.deepEqual(await probes(), ['a', 'b', 'c']);

    // A bad write takes the shared transaction back; each is then tried alone and only the bad one fails.
    ran.length = 0;
    const settled = await Promise.allSettled([insert('d'), insert('bad'), insert('e')]);
    assert.deepEqual(
      settled.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    if (store === 'sqlite')
      assert.deepEqual(ran, ['now d', 'now bad', 'kysely d', 'kysely bad', 'kysely e'], 'rolled back, then each alone');
    assert.deepEqual(await probes(), ['a', 'b', 'c', 'd', 'e']);

    // While another transaction holds the connection, nothing runs at once inside it: the batch waits its turn.
    ran.length = 0;
    let batch: Promise<unknown> | undefined;
    await assert.rejects(
      m.deps.db.transaction().execute(async (trx) => {
        await trx.insertInto('oidc_payloads').values(probe('doomed')).execute();
        batch = Promise.all([insert('h'), insert('i')]);
        // Held past the turns the group commit waits before it flushes (two), so the flush meets it.
        for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
        throw new Error('roll back');
      }),
      /roll back/,
    );
    await batch;
    assert.deepEqual(ran, ['kysely h', 'kysely i']);
    assert.deepEqual(await probes(), ['a', 'b', 'c', 'd', 'e', 'h', 'i'], 'the rolled-back row never joined');
  });

  test("a grant's save notes the shop's customer: the first time stays, the address only ever goes up; a provider session's link moves", async () => {
    const grants = adapter('Grant');
    const customer = () =>
      m.deps.db
        .selectFrom('shop_customers')
        .select(['email_granted', 'first_signed_in_at'])
        .where('client_id', '=', 'shop')
        .where('account_id', '=', 'a1')
        .execute();
    const first = m.clock.now().toISOString();
    await grants.upsert('g1', { accountId: 'a1', clientId: 'shop', openid: { scope: 'openid profile' } }, 60);
    assert.deepEqual(
      (await customer()).map((r) => [Number(r.email_granted), r.first_signed_in_at]),
      [[0, first]],
    );
    m.clock.advance(1000);
    await grants.upsert('g2', { accountId: 'a1', clientId: 'shop', openid: { scope: 'openid email' } }, 60);
    await grants.upsert('g3', { accountId: 'a1', clientId: 'shop', openid: { scope: 'openid' } }, 60);
    assert.deepEqual(
      (await customer()).map((r) => [Number(r.email_granted), r.first_signed_in_at]),
      [[1, first]],
      'given once, the address stays granted; the first sign-in keeps its time',
    );
    const link = (sessionId: string) =>
      linkOidcSession(m.deps.db, { oidcSessionUid: 'ps-1', sessionId, accountId: 'a1', at: first });
    await link('s-1');
    await link('s-2');
    assert.equal(await sessionIdOfOidcSession(m.deps.db, 'ps-1'), 's-2', 'moved onto the newer session');
    assert.deepEqual(await oidcSessionUidsOf(m.deps.db, ['s-1']), []);
  });

  test('sessions by uid, device codes by user code; a payload without expiry lasts', async () => {
    await adapter('Session').upsert('s-1', { uid: 'uid-1', accountId: 'a1' });
    assert.equal((await adapter('Session').findByUid('uid-1'))?.accountId, 'a1');
    await adapter('DeviceCode').upsert('d-1', { userCode: 'ABCD-EFGH', grantId: 'g9' }, 600);
    assert.equal((await adapter('DeviceCode').findByUserCode('ABCD-EFGH'))?.grantId, 'g9');
    m.clock.advance(365 * 24 * 3_600_000);
    assert.equal((await adapter('Session').findByUid('uid-1'))?.accountId, 'a1');
  });

  test('revoking a grant removes every code and token issued under it, and nothing of another grant', async () => {
    await adapter('AuthorizationCode').upsert('c', { grantId: 'g1' }, 60);
    await adapter('AccessToken').upsert('at', { grantId: 'g1' }, 3600);
    await adapter('RefreshToken').upsert('rt', { grantId: 'g1' }, 86400);
    await adapter('RefreshToken').upsert('other', { grantId: 'g2' }, 86400);
    await adapter('AccessToken').revokeByGrantId('g1');
    for (const [kind, id] of [
      ['AuthorizationCode', 'c'],
      ['AccessToken', 'at'],
      ['RefreshToken', 'rt'],
    ] as const) {
      assert.equal(await adapter(kind).find(id), undefined, kind);
    }
    assert.equal((await adapter('RefreshToken').find('other'))?.grantId, 'g2');
  });

  test('the worker sweeps expired rows and keeps the rest', async () => {
    await adapter('AccessToken').upsert('short', { grantId: 'g' }, 60);
    await adapter('RefreshToken').upsert('long', { grantId: 'g' }, 86400);
    m.clock.advance(120_000);
    assert.equal(await sweepExpiredOidc(m.deps), 1);
    const left = await m.deps.db.selectFrom('oidc_payloads').select('id').execute();
    assert.deepEqual(
      left.map((r) => r.id),
      ['long'],
    );
  });

  test('the real provider runs code + PKCE on it; a request without PKCE is refused', async () => {
    const { app, issuer, provider } = await providerOn(m);
    try {
      const config = await client.discovery(
        new URL(issuer),
        'shop',
        'a-client-secret-of-enough-length-0123',
        undefined,
        { execute: [client.allowInsecureRequests] },
      );
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: 'http://localhost:3001/cb',
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 'st',
      });
      const callback = await followToClient(url.href, issuer);
      const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: 'st',
      });
      assert.equal(tokens.claims()?.sub, 'account-1');
      const kinds = new Set((await m.deps.db.selectFrom('oidc_payloads').select('kind').execute()).map((r) => r.kind));
      for (const kind of ['Session', 'Grant', 'AuthorizationCode', 'AccessToken']) assert.ok(kinds.has(kind), kind);
      const code = await m.deps.db
        .selectFrom('oidc_payloads')
        .selectAll()
        .where('kind', '=', 'AuthorizationCode')
        .executeTakeFirstOrThrow();
      assert.ok(code.consumed_at, 'the code was consumed on exchange');
      const noPkce = await fetch(
        `${issuer}/oidc/auth?client_id=shop&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://localhost:3001/cb')}`,
        { redirect: 'manual' },
      );
      assert.match(String(noPkce.headers.get('location')), /error=invalid_request.*PKCE/);
      void provider;
    } finally {
      await app.close();
    }
  });
});

/** The provider on the adapter, mounted as Mamori will mount it: its routes under /oidc, discovery at the issuer's root. */
async function providerOn(m: TestMamori): Promise<{ app: FastifyInstance; issuer: string; provider: Provider }> {
  const app = Fastify();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await app.close();
  const issuer = `http://localhost:${port}`;
  const server = Fastify();
  const provider = new Provider(issuer, {
    adapter: oidcAdapterFactory(m.deps),
    clients: [
      {
        client_id: 'shop',
        client_secret: 'a-client-secret-of-enough-length-0123',
        redirect_uris: ['http://localhost:3001/cb'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    routes: {
      authorization: '/oidc/auth',
      token: '/oidc/token',
      userinfo: '/oidc/me',
      jwks: '/oidc/jwks',
      end_session: '/oidc/session/end',
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });
  const callback = provider.callback();
  await server.register(async (oidc) => {
    oidc.removeAllContentTypeParsers();
    oidc.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const pass = (
      request: { raw: Parameters<typeof callback>[0] },
      reply: { hijack(): void; raw: Parameters<typeof callback>[1] },
    ) => {
      reply.hijack();
      void callback(request.raw, reply.raw);
    };
    oidc.all('/oidc/*', pass);
    oidc.get('/.well-known/openid-configuration', pass);
  });
  // Stands in for Mamori's sign-in: the account is signed in and the first-party client needs no consent.
  server.get('/interaction/:uid', async (request, reply) => {
    const details = await provider.interactionDetails(request.raw, reply.raw);
    const grant = new provider.Grant({ accountId: 'account-1', clientId: String(details.params.client_id) });
    grant.addOIDCScope('openid');
    const grantId = await grant.save();
    reply.hijack();
    await provider.interactionFinished(
      request.raw,
      reply.raw,
      { login: { accountId: 'account-1', amr: ['pwd'] }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  });
  await server.listen({ port, host: '127.0.0.1' });
  return { app: server, issuer, provider };
}

/** Follows the browser's redirects, keeping cookies, until the client's redirect URI. */
async function followToClient(start: string, issuer: string): Promise<string> {
  const jar = new Map<string, string>();
  let next = start;
  for (let hop = 0; hop < 8 && !next.startsWith('http://localhost:3001/cb'); hop += 1) {
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    next = new URL(String(res.headers.get('location')), issuer).href;
  }
  return next;
}
