// Where a session check's time goes: Mamori in this process under --cpu-prof, the load from autocannon in
// another process for a bounded time. `node --cpu-prof --cpu-prof-dir=DIR --import tsx bench/profile-session.ts`
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { composeMamori } from '../src/runtime/compose.ts';
import { insertAccount } from '../src/store/accounts.ts';

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 8);
const PORT = Number(process.env.PROFILE_PORT ?? 4390);
const dir = mkdtempSync(join(tmpdir(), 'mamori-profile-'));
const mamori = await composeMamori(
  loadConfig({
    MAMORI_DATABASE_URL: `sqlite:${join(dir, 'profile.sqlite')}`,
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_DEMO_ACCOUNT: 'false',
    MAMORI_SIGN_IN_LIMIT_PER_MINUTE: '1000000',
  }),
  { log: pino({ level: 'silent' }) },
);
try {
  const now = new Date().toISOString();
  await insertAccount(mamori.deps.db, {
    id: mamori.deps.random.id(),
    email: 'profile@bench.example',
    email_verified_at: now,
    password_hash: await mamori.deps.hasher.hash('profile bench passphrase'),
    name: 'Profile',
    locale: 'en',
    status: 'active',
    created_at: now,
    updated_at: now,
  });
  await mamori.app.listen({ host: '127.0.0.1', port: PORT });
  const base = `http://127.0.0.1:${PORT}`;
  const page = await fetch(`${base}/sign-in`);
  const csrfCookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const signedIn = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ _csrf: csrf, email: 'profile@bench.example', password: 'profile bench passphrase' }),
  });
  const session = /mamori_session=([^;]+)/.exec(signedIn.headers.get('set-cookie') ?? '')?.[1];
  if (!session) throw new Error(`sign-in failed: ${signedIn.status}`);
  const load = spawn(
    join('node_modules', '.bin', 'autocannon'),
    ['-c', '10', '-d', String(SECONDS), '-H', `cookie=mamori_session=${session}`, `${base}/api/session`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  await once(load, 'exit');
} finally {
  await mamori.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
