// Issue 4 check: a bounded credential-stuffing run against the real server on 127.0.0.1 (its own
// process, SQLite file, default policy, X-Forwarded-For through a trusted proxy). 5,000 attempts over
// 500 accounts from 50 source addresses, 5% of them with the right password from new browsers,
// interleaved with the owners' own sign-ins from the browsers they have used for a month.
// Passes when no attacker got a session without a challenge and every owner sign-in worked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchEmail, benchOwnerDevice, benchPassword } from './fixtures.ts';
import { csrfPair, hardStop, startServer, stopServers } from './processes.ts';

const ACCOUNTS = Number(process.env.STUFFING_ACCOUNTS ?? 500);
const ATTEMPTS = Number(process.env.STUFFING_ATTEMPTS ?? 5000);
const SOURCES = Number(process.env.STUFFING_SOURCES ?? 50);
const RIGHT_SHARE = 0.05;
const OWNER_SIGN_INS = Number(process.env.STUFFING_OWNER_SIGN_INS ?? 250);
const CONCURRENCY = 10;
const PORT = Number(process.env.STUFFING_PORT ?? 4320);
const HARD_STOP_MS = 8 * 60_000;
/** Owners at home in Japan; the attack from addresses spread over many countries (public ranges). */
const OWNER_IP = '133.242.0.10';
const SOURCE_PREFIXES = [
  '8.8.',
  '45.33.',
  '81.2.',
  '185.220.',
  '103.21.',
  '41.0.',
  '200.160.',
  '91.198.',
  '5.255.',
  '177.67.',
];

type Actor = 'attacker-wrong' | 'attacker-right' | 'owner';
type Outcome = 'session' | 'challenged' | 'refused' | 'throttled' | 'other';

interface Attempt {
  actor: Actor;
  account: number;
  ip: string;
}

/** A fixed, shuffled plan: the same run every time (a small LCG, no Math.random). */
function plan(): Attempt[] {
  const attempts: Attempt[] = [];
  for (let k = 0; k < ATTEMPTS; k += 1) {
    const source = k % SOURCES;
    const ip = `${SOURCE_PREFIXES[source % SOURCE_PREFIXES.length]}${Math.floor(source / SOURCE_PREFIXES.length) + 1}.${(source % 200) + 10}`;
    attempts.push({
      actor: k % Math.round(1 / RIGHT_SHARE) === 0 ? 'attacker-right' : 'attacker-wrong',
      account: (k * 7) % ACCOUNTS,
      ip,
    });
  }
  for (let o = 0; o < OWNER_SIGN_INS; o += 1)
    attempts.push({ actor: 'owner', account: (o * 13) % ACCOUNTS, ip: OWNER_IP });
  let seed = 42;
  for (let i = attempts.length - 1; i > 0; i -= 1) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [attempts[i], attempts[j]] = [attempts[j] as Attempt, attempts[i] as Attempt];
  }
  return attempts;
}

function classify(status: number, location: string | null, setCookie: string): Outcome {
  if (status === 303 && location === '/account' && /mamori_session=[^;]+/.test(setCookie)) return 'session';
  if (status === 303 && location?.startsWith('/sign-in/two-step')) return 'challenged';
  if (status === 401) return 'refused';
  if (status === 429) return 'throttled';
  return 'other';
}

export async function runCredentialStuffing(): Promise<{ ok: boolean }> {
  hardStop(HARD_STOP_MS, 'credential stuffing');
  const dir = mkdtempSync(join(tmpdir(), 'mamori-stuffing-'));
  const counts = new Map<string, number>();
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const started = performance.now();
  try {
    console.log(`\ncredential stuffing: seeding ${ACCOUNTS} accounts with their owners' browsers...`);
    await startServer('mamori', PORT, {
      BENCH_DB: join(dir, 'stuffing.sqlite'),
      BENCH_USERS: String(ACCOUNTS),
      BENCH_OWNERS: '1',
      BENCH_TRUST_PROXY: '1',
    });
    const base = `http://127.0.0.1:${PORT}`;
    const csrf = await csrfPair(base);
    const attempts = plan();
    let next = 0;
    const worker = async () => {
      while (next < attempts.length) {
        const attempt = attempts[next++] as Attempt;
        const right = attempt.actor !== 'attacker-wrong';
        const cookie =
          attempt.actor === 'owner'
            ? `${csrf.cookie}; mamori_device=${benchOwnerDevice(attempt.account)}`
            : csrf.cookie;
        const res = await fetch(`${base}/sign-in`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie,
            'x-forwarded-for': attempt.ip,
            'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0',
          },
          body: new URLSearchParams({
            _csrf: csrf.token,
            email: benchEmail(attempt.account),
            password: right ? benchPassword(attempt.account) : `guess ${attempt.account} ${next} from a leaked list`,
          }).toString(),
        });
        await res.arrayBuffer();
        bump(
          `${attempt.actor}:${classify(res.status, res.headers.get('location'), res.headers.get('set-cookie') ?? '')}`,
        );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    stopServers();
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const get = (key: string) => counts.get(key) ?? 0;
  const outcomes: Outcome[] = ['session', 'challenged', 'refused', 'throttled', 'other'];
  console.log(
    `credential stuffing: ${ATTEMPTS} attempts on ${ACCOUNTS} accounts from ${SOURCES} addresses, ${OWNER_SIGN_INS} owner sign-ins, ${seconds.toFixed(1)} s`,
  );
  console.log(`  ${'who'.padEnd(34)}${outcomes.map((o) => o.padStart(11)).join('')}`);
  for (const actor of ['attacker-right', 'attacker-wrong', 'owner'] as const) {
    const label = {
      'attacker-right': 'attacker, right password, new browser',
      'attacker-wrong': 'attacker, wrong password',
      owner: 'owner, own browser',
    }[actor];
    console.log(`  ${label.padEnd(34)}${outcomes.map((o) => String(get(`${actor}:${o}`)).padStart(11)).join('')}`);
  }
  const sessionsWithoutChallenge = get('attacker-right:session') + get('attacker-wrong:session');
  const ownersOk = get('owner:session') === OWNER_SIGN_INS;
  console.log(`  sessions granted to the attacker without a challenge: ${sessionsWithoutChallenge} (target 0)`);
  console.log(`  owners signed in from their own browsers: ${get('owner:session')} of ${OWNER_SIGN_INS} (target all)`);
  return { ok: sessionsWithoutChallenge === 0 && ownersOk };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ok } = await runCredentialStuffing();
  process.exit(ok ? 0 : 1);
}
