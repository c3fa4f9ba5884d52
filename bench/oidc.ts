// Issue 14 figures, on 127.0.0.1 only, bounded by count:
//   1. containment reaching the shop: the owner's "This wasn't me" (POST /report over HTTP, as the notice's
//      page sends it) until the shop's back-channel endpoint has verified the logout token against Mamori's
//      JWKS and answered; p50/p99 (target p99 <= 1 s), next to the click's own answer in the same run.
//      Mamori runs here with its real outbox worker (kicked after the commit, polling every second).
//   2. code exchange at the token endpoint: Mamori's provider (Kysely on SQLite) against a bare
//      oidc-provider with an in-memory adapter, configured alike, each in its own process, the same number
//      of pre-minted codes redeemed with PKCE and client authentication (target ratio >= 0.7).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { MemoryMailer } from '../src/delivery/memory-mailer.ts';
import { buildProvider } from '../src/http/oidc-provider.ts';
import { composeMamori } from '../src/runtime/compose.ts';
import { addClient } from '../src/services/oidc/clients.ts';
import { seedVictim } from './incident.ts';
import { BENCH_REDIRECT_URI, BENCH_VERIFIER, type MintedCodes } from './oidc-servers.ts';
import { hardStop, startServer, stopServers } from './processes.ts';
import { percentile } from './stats.ts';

const CLICKS = Number(process.env.SHOP_LOGOUT_CLICKS ?? 40);
const EXCHANGES = Number(process.env.CODE_EXCHANGES ?? 1500);
const EXCHANGE_ROUNDS = Number(process.env.CODE_EXCHANGE_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const BASE_PORT = Number(process.env.OIDC_PORT ?? 4310);
const SHOP_TIMEOUT_MS = 10_000;

/** A shop's back-channel logout endpoint: verifies each token, answers 200, and says when it did. */
async function shopEndpoint(issuer: string) {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/oidc/jwks`));
  const waiting = new Map<string, (at: number) => void>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token') ?? '';
      jwtVerify(token, jwks, { issuer, typ: 'logout+jwt' })
        .then(({ payload }) => {
          res.writeHead(200).end();
          waiting.get(String(payload.sub))?.(performance.now());
        })
        .catch(() => res.writeHead(400).end());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/backchannel-logout`,
    /** When the shop answered for this account; fails the run if it never does. */
    answered(sub: string): Promise<number> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the shop never heard about ${sub}`)), SHOP_TIMEOUT_MS);
        waiting.set(sub, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export async function benchShopLogout(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-shop-logout-'));
  const issuer = `http://127.0.0.1:${BASE_PORT}`;
  const config = loadConfig({
    MAMORI_DATABASE_URL: `sqlite:${join(dir, 'shop-logout.sqlite')}`,
    MAMORI_PUBLIC_URL: issuer,
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_DEMO_ACCOUNT: 'false',
    MAMORI_SIGN_IN_LIMIT_PER_MINUTE: '1000000',
  });
  const m = await composeMamori(config, { mailer: new MemoryMailer(), log: pino({ level: 'silent' }) });
  const shop = await shopEndpoint(issuer);
  try {
    await m.app.listen({ host: '127.0.0.1', port: BASE_PORT });
    const { client } = await addClient(m.deps, {
      name: 'Bench shop',
      redirectUris: [BENCH_REDIRECT_URI],
      backchannelLogoutUri: shop.url,
      firstParty: true,
    });
    const provider = await buildProvider(m.deps);
    const clickMs: number[] = [];
    const shopMs: number[] = [];
    for (let n = 0; n < CLICKS; n += 1) {
      // The attacker changed something; the owner is signed in to the shop through Mamori.
      const { accountId, token } = await seedVictim(m, n, { prior: 20, attackerChanges: 3 });
      const grant = new provider.Grant({ accountId, clientId: client.clientId });
      grant.addOIDCScope('openid email profile');
      await grant.save();

      const page = await fetch(`${issuer}/report?token=${token}`);
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
      const heard = shop.answered(accountId);
      const started = performance.now();
      const click = await fetch(`${issuer}/report`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ _csrf: csrf, token }).toString(),
      });
      const clicked = performance.now();
      await click.arrayBuffer();
      if (click.status !== 303) throw new Error(`the report was not accepted: ${click.status}`);
      clickMs.push(clicked - started);
      shopMs.push((await heard) - started);
    }
    const p99 = percentile(shopMs, 0.99);
    console.log(`\ncontainment reaching the shop, ${CLICKS} accounts (SQLite, real outbox worker)`);
    console.log(
      `  click → owner's page answered           p50 ${percentile(clickMs, 0.5).toFixed(1)} ms  p99 ${percentile(clickMs, 0.99).toFixed(1)} ms   (baseline)`,
    );
    console.log(
      `  click → shop's back-channel answered    p50 ${percentile(shopMs, 0.5).toFixed(1)} ms  p99 ${p99.toFixed(1)} ms   (target p99 <= 1000 ms${p99 <= 1000 ? ', met' : ', MISSED'})`,
    );
    console.log(
      `  ratio p99 (shop answered / page answered)  ${(p99 / Math.max(percentile(clickMs, 0.99), 0.1)).toFixed(1)}x`,
    );
  } finally {
    await m.close();
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Redeems `count` codes from the list, CONNECTIONS at a time over kept-alive sockets; answers exchanges per second. */
async function exchange(base: string, minted: MintedCodes, offset: number, count: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(minted.clientId)}:${encodeURIComponent(minted.clientSecret)}`).toString('base64')}`;
  const url = new URL('/oidc/token', base);
  let next = offset;
  const redeem = (code: string) =>
    new Promise<void>((resolve, reject) => {
      const body = new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: BENCH_REDIRECT_URI,
        code_verifier: BENCH_VERIFIER,
      }).toString();
      const req = request(url, {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          authorization: basic,
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          res.statusCode === 200 && text.includes('"id_token"')
            ? resolve()
            : reject(new Error(`${base}: a code exchange answered ${res.statusCode}: ${text.slice(0, 200)}`)),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  const end = offset + count;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < end) await redeem(minted.codes[next++] ?? '');
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return count / seconds;
}

export async function benchCodeExchange(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-token-'));
  const warmup = Math.ceil(EXCHANGES / 5);
  const perServer = EXCHANGE_ROUNDS * (EXCHANGES + warmup);
  try {
    const env = (name: string) => ({ BENCH_CODES: String(perServer), BENCH_CODES_FILE: join(dir, `${name}.json`) });
    await Promise.all([
      startServer('oidc-mamori', BASE_PORT + 1, { ...env('mamori'), BENCH_DB: join(dir, 'token.sqlite') }),
      startServer('oidc-bare', BASE_PORT + 2, env('bare')),
    ]);
    const targets = [
      { name: 'Mamori token endpoint', base: `http://127.0.0.1:${BASE_PORT + 1}`, file: 'mamori' },
      { name: 'bare oidc-provider', base: `http://127.0.0.1:${BASE_PORT + 2}`, file: 'bare' },
    ].map((t) => ({
      ...t,
      minted: JSON.parse(readFileSync(join(dir, `${t.file}.json`), 'utf8')) as MintedCodes,
      used: 0,
      rates: [] as number[],
    }));
    console.log(`\ncode exchange (authorization_code + PKCE + client_secret_basic), ${EXCHANGES} codes a round`);
    for (let round = 1; round <= EXCHANGE_ROUNDS; round += 1) {
      for (const target of round % 2 === 1 ? targets : [...targets].reverse()) {
        await exchange(target.base, target.minted, target.used, warmup);
        target.used += warmup;
        const rps = await exchange(target.base, target.minted, target.used, EXCHANGES);
        target.used += EXCHANGES;
        target.rates.push(rps);
        console.log(`  round ${round}  ${target.name.padEnd(24)} ${rps.toFixed(0).padStart(6)} exchanges/s`);
      }
    }
    const mean = (rates: number[]) => rates.reduce((a, b) => a + b, 0) / rates.length;
    const [ours, bare] = targets.map((t) => mean(t.rates)) as [number, number];
    console.log(
      `  ratio (Mamori / bare oidc-provider, in-memory)   ${(ours / bare).toFixed(3)}   (target >= 0.7${ours / bare >= 0.7 ? ', met' : ', MISSED'})`,
    );
  } finally {
    stopServers();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  hardStop(10 * 60_000, 'oidc bench');
  await benchShopLogout();
  await benchCodeExchange();
  process.exit(0);
}
