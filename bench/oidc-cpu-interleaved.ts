// The token endpoint's CPU per operation for several checkouts' Mamori and the bare durable oidc-provider,
// all in this one process, driven in alternating blocks of a few dozen operations: whatever else the
// machine runs moves every provider alike, so the paired ratios hold where oidc-cpu.ts's separate
// processes, measured a minute apart, drift by ±20% on a shared machine. Each provider is its checkout's
// own (its bench/oidc-servers.ts and src), on its own SQLite file; requests go straight to its server's
// request listener through light-my-request (no sockets), one at a time, so the figures include that
// in-process client's share alike for all (compare ratios, not absolute figures with oidc-cpu.ts).
// `tsx bench/oidc-cpu-interleaved.ts [checkout ...]` (default: this one; OIDC_INTERLEAVED_WORK='code exchange'
// or refresh, OIDC_INTERLEAVED_ROUNDS, OIDC_INTERLEAVED_BLOCK, OIDC_INTERLEAVED_PORT: the first of the ports it listens on).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import inject from 'light-my-request';
import type { MintedCodes } from './oidc-servers.ts';
import { startInProcess, type Listener } from './in-process-provider.ts';
import { BENCH_REDIRECT_URI, BENCH_VERIFIER } from './oidc-servers.ts';
import { median } from './stats.ts';

const WORK = process.env.OIDC_INTERLEAVED_WORK ?? 'refresh';
const ROUNDS = Number(process.env.OIDC_INTERLEAVED_ROUNDS ?? 30);
const BLOCK = Number(process.env.OIDC_INTERLEAVED_BLOCK ?? 100);
const WARM = 1500;
const checkouts = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [resolve(import.meta.dirname, '..')];

type Provider = { name: string; listener: Listener; minted: MintedCodes; used: number; refresh: string; us: number[] };

const dir = mkdtempSync(join(tmpdir(), 'mamori-oidc-interleaved-'));
const codes = WORK === 'refresh' ? 20 : WARM + ROUNDS * BLOCK + 20;

let started = 0;
async function start(name: string, checkout: string, bare: boolean): Promise<Provider> {
  const port = Number(process.env.OIDC_INTERLEAVED_PORT ?? 4800) + started++;
  const { listener, minted } = await startInProcess({ name, checkout, dir, port, codes, bare });
  return { name, listener, minted, used: 0, refresh: '', us: [] };
}

async function token(provider: Provider, form: Record<string, string>): Promise<{ refresh_token: string }> {
  const { clientId, clientSecret } = provider.minted;
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  const res = await inject(provider.listener, {
    method: 'POST',
    url: '/oidc/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    payload: new URLSearchParams(form).toString(),
    remoteAddress: '127.0.0.1',
  });
  if (res.statusCode !== 200) throw new Error(`${provider.name}: ${form.grant_type} answered ${res.statusCode}`);
  return JSON.parse(res.payload) as { refresh_token: string };
}

const redeem = (provider: Provider) =>
  token(provider, {
    grant_type: 'authorization_code',
    code: provider.minted.codes[provider.used++] ?? '',
    redirect_uri: BENCH_REDIRECT_URI,
    code_verifier: BENCH_VERIFIER,
  });

async function operation(provider: Provider): Promise<void> {
  if (WORK === 'refresh')
    provider.refresh = (
      await token(provider, { grant_type: 'refresh_token', refresh_token: provider.refresh })
    ).refresh_token;
  else await redeem(provider);
}

try {
  const providers: Provider[] = [];
  for (const [i, checkout] of checkouts.entries())
    providers.push(await start(`mamori-${i}-${basename(checkout)}`, checkout, false));
  providers.push(await start('bare-sqlite', checkouts[0] ?? '', true));
  for (const provider of providers) {
    provider.refresh = (await redeem(provider)).refresh_token;
    for (let i = 0; i < WARM; i += 1) await operation(provider);
  }
  for (let round = 0; round < ROUNDS; round += 1)
    for (const provider of round % 2 === 0 ? providers : [...providers].reverse()) {
      const before = process.cpuUsage();
      for (let i = 0; i < BLOCK; i += 1) await operation(provider);
      const used = process.cpuUsage(before);
      provider.us.push((used.user + used.system) / BLOCK);
    }
  console.log(
    `${WORK}, ${ROUNDS} rounds of ${BLOCK}, one at a time, CPU per operation (this process, client included):`,
  );
  for (const provider of providers)
    console.log(`  ${provider.name.padEnd(28)} median ${median(provider.us).toFixed(0).padStart(5)} µs`);
  for (const a of providers)
    for (const b of providers)
      if (a !== b && a.name !== 'bare-sqlite')
        console.log(
          `  ${a.name} / ${b.name}: ${median(a.us.map((us, i) => us / (b.us[i] ?? us))).toFixed(3)} (median of paired rounds)`,
        );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
