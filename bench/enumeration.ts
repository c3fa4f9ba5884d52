// Issue 4 figure: no account enumeration by timing or body (STANDARDS D1–D2). Against the real server on
// 127.0.0.1 (its own process, SQLite file), alternating known and unknown addresses, each attempt from
// its own client address (X-Forwarded-For through a trusted proxy) so per-address throttling stays out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchEmail } from './fixtures.ts';
import { csrfPair, startServer, stopServers } from './processes.ts';
import { median } from './stats.ts';

const SAMPLES = Number(process.env.ENUMERATION_SAMPLES ?? 200);
const FORM_SAMPLES = Number(process.env.ENUMERATION_FORM_SAMPLES ?? 50);
const PORT = Number(process.env.ENUMERATION_PORT ?? 4310);

interface Probe {
  name: string;
  path: string;
  samples: number;
  form: (email: string) => Record<string, string>;
}

const PROBES: Probe[] = [
  {
    name: 'sign-in (wrong password)',
    path: '/sign-in',
    samples: SAMPLES,
    form: (email) => ({ email, password: 'not the right passphrase' }),
  },
  { name: 'password reset', path: '/forgot-password', samples: FORM_SAMPLES, form: (email) => ({ email }) },
  {
    name: 'registration',
    path: '/register',
    samples: FORM_SAMPLES,
    form: (email) => ({ name: 'Probe', email, password: 'probe passphrase orchid lantern' }),
  },
];

export async function benchEnumeration(): Promise<{ ok: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-enum-'));
  let ok = true;
  let client = 0;
  try {
    await startServer('mamori', PORT, {
      BENCH_DB: join(dir, 'enum.sqlite'),
      BENCH_USERS: String(SAMPLES + 2 * FORM_SAMPLES),
      BENCH_TRUST_PROXY: '1',
    });
    const base = `http://127.0.0.1:${PORT}`;
    const { cookie, token } = await csrfPair(base);
    console.log(
      `\nenumeration (known vs unknown address, medians, same run)   known     unknown   |diff|   target   bodies`,
    );
    let knownIndex = 0;
    for (const probe of PROBES) {
      const times = { known: [] as number[], unknown: [] as number[] };
      const bodies = { known: new Set<string>(), unknown: new Set<string>() };
      const statuses = new Set<string>();
      for (let i = 0; i < probe.samples * 2; i += 1) {
        const kind = i % 2 === 0 ? 'known' : 'unknown';
        const email = kind === 'known' ? benchEmail(knownIndex++) : `nobody${i}-${probe.path.slice(1)}@bench.example`;
        client += 1;
        const started = performance.now();
        const res = await fetch(`${base}${probe.path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie,
            'x-forwarded-for': `10.${(client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}`,
          },
          body: new URLSearchParams({ _csrf: token, ...probe.form(email) }).toString(),
        });
        const body = await res.text();
        times[kind].push(performance.now() - started);
        statuses.add(`${kind}:${res.status}`);
        bodies[kind].add(body.replaceAll(email, '<email>').replace(/name="_csrf" value="[^"]*"/g, ''));
      }
      const diff = Math.abs(median(times.known) - median(times.unknown));
      const sameStatus = new Set([...statuses].map((s) => s.split(':')[1])).size === 1;
      const sameBody =
        bodies.known.size === 1 && bodies.unknown.size === 1 && [...bodies.known][0] === [...bodies.unknown][0];
      ok &&= diff < 10 && sameStatus && sameBody;
      console.log(
        `  ${`${probe.name} x${probe.samples} each`.padEnd(38)} ${median(times.known).toFixed(1).padStart(7)} ms ${median(times.unknown).toFixed(1).padStart(7)} ms ${diff.toFixed(1).padStart(6)} ms   < 10 ms  ${sameBody && sameStatus ? 'identical' : `DIFFER (${[...statuses].join(', ')})`}`,
      );
    }
  } finally {
    stopServers();
    rmSync(dir, { recursive: true, force: true });
  }
  return { ok };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ok } = await benchEnumeration();
  process.exit(ok ? 0 : 1);
}
