// Issue 28: the owner's containment click → a real Medusa store refuses the intruder's token. One Mamori
// (SQLite) and one Medusa (its own PostgreSQL, migrated once) started by the Medusa test's support; then
// MEDUSA_CLICKS rounds, each on a new account: the owner registers, someone signs in with her password from
// another browser and then at the store through Mamori, the owner presses "This wasn't me" in the notice,
// and the bench asks Medusa's store API with his token until it answers 401. Mamori's outbox is delivered
// as soon as the click answers, as the real worker (woken by the click) does.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATTACKER_BROWSER, signInWith } from '../src/cli/demo/story.ts';
import { pathOf, TestClient, tokenOf } from '../test/support/http-client.ts';
import { STORY_ENV } from '../test/support/story.ts';
import { hardStop } from './processes.ts';
import { percentile } from './stats.ts';
// Types only (erased): the Medusa modules themselves are loaded once its node_modules is known to be there.
import type { MedusaWorld } from '../integrations/medusa/test/support/medusa-beside.ts';
import type { SeededStore } from '../integrations/medusa/scripts/store-api.ts';

const CLICKS = Math.min(Number(process.env.MEDUSA_CLICKS ?? 20), 50);
const POLL_LIMIT_MS = 30_000;
const MEDUSA_DIR = fileURLToPath(new URL('../integrations/medusa', import.meta.url));
const PASSWORD = 'violet kettle harbour drum';

type World = MedusaWorld;
type Store = SeededStore;

/** A shopper with a confirmed account, signed in from her own browser. */
async function shopperSignsUp(m: World['m'], email: string, n: number): Promise<void> {
  const owner = new TestClient(m.app);
  // Each shopper from her own home address: registering is limited to a few a minute per address.
  owner.remoteAddress = `198.51.100.${n + 1}`;
  await owner.get('/register');
  const registered = await owner.post('/register', { name: 'Bench Shopper', email, password: PASSWORD });
  if (registered.statusCode !== 200) throw new Error(`register: ${registered.statusCode}`);
  await m.deliver();
  const verify = m.mailer.link(email, '/verify-email');
  await owner.get(pathOf(verify));
  await owner.post('/verify-email', { token: tokenOf(verify) });
  if ((await signInWith(owner, email, PASSWORD)) !== 303) throw new Error('the shopper could not sign in');
}

/** How long until Medusa answers 401 to `token`, from `started`; asked again at once, no sleeping. */
async function untilRefused(base: string, token: string, key: string, started: number): Promise<number> {
  while (performance.now() - started < POLL_LIMIT_MS) {
    const res = await fetch(`${base}/store/customers/me`, {
      headers: { authorization: `Bearer ${token}`, 'x-publishable-api-key': key },
    });
    await res.arrayBuffer();
    if (res.status === 401) return performance.now() - started;
    if (res.status !== 200) throw new Error(`Medusa answered ${res.status} before refusing the token`);
  }
  throw new Error(`Medusa still accepted the token ${POLL_LIMIT_MS} ms after the click`);
}

async function oneClick(world: World, store: Store, n: number): Promise<{ pageMs: number; refusedMs: number }> {
  const { m } = world;
  const { signInAtMedusa } = await import('../integrations/medusa/test/support/sign-in.ts');
  const email = `shopper${n}@medusa-bench.example`;
  await shopperSignsUp(m, email, n);
  const intruder = new TestClient(m.app, { 'user-agent': ATTACKER_BROWSER });
  if ((await signInWith(intruder, email, PASSWORD)) !== 303) throw new Error('the intruder could not sign in');
  const { token } = await signInAtMedusa(world, intruder, store);
  await m.deliver();
  const notice = m.mailer.to(email).find((mail) => /New sign-in/.test(mail.subject));
  const link = notice?.text.match(/This wasn't me: (\S+)/)?.[1];
  if (!link) throw new Error('no new sign-in notice with a report link');
  const reporter = new TestClient(m.app);
  await reporter.get(pathOf(link));
  const started = performance.now();
  const res = await reporter.post('/report', { token: tokenOf(link) });
  const pageMs = performance.now() - started;
  if (res.statusCode !== 303) throw new Error(`the report was not accepted: ${res.statusCode}`);
  const [refusedMs] = await Promise.all([
    untilRefused(world.medusa.url, token, store.publishableKey, started),
    m.deliver(),
  ]);
  return { pageMs, refusedMs };
}

export async function benchMedusaContainment(): Promise<void> {
  console.log('\ncontainment reaching a real Medusa store (issue 28)');
  if (!existsSync(join(MEDUSA_DIR, 'node_modules'))) {
    console.log('  skipped: integrations/medusa/node_modules is missing (npm --prefix integrations/medusa ci)');
    return;
  }
  const { mamoriAndMedusa, stopTemplateCluster } = await import('../integrations/medusa/test/support/medusa-beside.ts');
  const { seedStore } = await import('../integrations/medusa/scripts/store-api.ts');
  const { stopClusterIfStarted } = await import('../test/support/postgres.ts');
  const setup = performance.now();
  const world = await mamoriAndMedusa('sqlite', { ...STORY_ENV, MAMORI_SIGN_IN_LIMIT_PER_MINUTE: '1000000' });
  try {
    const store = await seedStore(world.medusa.url);
    console.log(
      `  Mamori and Medusa ready in ${((performance.now() - setup) / 1000).toFixed(0)} s (migrating included)`,
    );
    const clicks = [];
    for (let n = 0; n < CLICKS; n += 1) clicks.push(await oneClick(world, store, n));
    const line = (what: string, values: number[], note = '') =>
      console.log(
        `  ${what.padEnd(40)} p50 ${percentile(values, 0.5).toFixed(1).padStart(6)} ms  p99 ${percentile(values, 0.99).toFixed(1).padStart(6)} ms${note}`,
      );
    const page = clicks.map((c) => c.pageMs);
    const refused = clicks.map((c) => c.refusedMs);
    const met = percentile(refused, 0.99) <= 1000 ? 'met' : 'MISSED';
    line(`click → owner's page answered (${CLICKS})`, page, '   (baseline)');
    line('click → Medusa refused his token', refused, `   (target p99 <= 1000 ms, ${met})`);
    const ratio = percentile(refused, 0.99) / Math.max(percentile(page, 0.99), 0.1);
    console.log(`  ratio p99 (Medusa refused / page answered)  ${ratio.toFixed(1)}x`);
  } finally {
    await world.close();
    await stopTemplateCluster();
    await stopClusterIfStarted();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  hardStop(15 * 60_000, 'medusa bench');
  await benchMedusaContainment();
}
