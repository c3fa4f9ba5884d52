// The whole sign-in through a shop (bench/oidc-rp.ts signInThroughShop: authorize, the sign-in form,
// password, the code, tokens) for several checkouts' Mamori, all in this one process, driven one sign-in
// at a time in alternating blocks: whatever else the machine runs moves every checkout alike, so paired
// ratios hold where oidc-cpu.ts's separate processes drift by ±20% on a shared machine. Requests go
// straight to each server's request listener (its fast path included) through light-my-request, no
// sockets. It prints the event loop's CPU per sign-in (this process's main thread, /proc's schedstat: the
// client's parsing is in it, alike for all) and the whole process's (argon2id's threads too).
// `tsx bench/shop-sign-in-interleaved.ts <checkout ...>` (SHOP_INTERLEAVED_ROUNDS, SHOP_INTERLEAVED_BLOCK;
// SHOP_INTERLEAVED_BARE=1 adds the bare durable oidc-provider of the first checkout). Each step's share is printed too.
// SHOP_INTERLEAVED_PROMISES=1 also counts the promises each step makes (an async hook: it slows every promise,
// so the CPU figures of that run are not comparable with one without it). oidc-provider's AsyncLocalStorage
// runs a hook on every promise in the process, so each promise a step makes costs it more than its await.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createHook } from 'node:async_hooks';
import inject from 'light-my-request';
import { cpuTime } from './cpu-time.ts';
import { rpClient, signInThroughShop } from './oidc-rp.ts';
import type { MintedCodes } from './oidc-servers.ts';
import { startInProcess, type Listener } from './in-process-provider.ts';
import { median } from './stats.ts';

process.env.BENCH_USERS ??= '10';
const ROUNDS = Number(process.env.SHOP_INTERLEAVED_ROUNDS ?? 12);
const BLOCK = Number(process.env.SHOP_INTERLEAVED_BLOCK ?? 30);
const WARM = 60;
const USERS = Number(process.env.BENCH_USERS);
const COUNT_PROMISES = process.env.SHOP_INTERLEAVED_PROMISES === '1';
const checkouts = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [resolve(import.meta.dirname, '..')];

type Client = ReturnType<typeof rpClient>;
type Steps = { counting: boolean; us: Map<string, number>; promises: Map<string, number> };
type Mamori = {
  name: string;
  client: Client;
  minted: MintedCodes;
  n: number;
  mainUs: number[];
  wholeUs: number[];
  steps: Steps;
};

/** Promises made so far while a request is being answered, when SHOP_INTERLEAVED_PROMISES=1. */
const promisesMade = { inRequest: false, count: 0 };
if (COUNT_PROMISES)
  createHook({
    init(_id, type) {
      if (promisesMade.inRequest && type === 'PROMISE') promisesMade.count += 1;
    },
  }).enable();

/** A request's step of the flow: its method and path, an interaction's or a resume's id left out. */
const stepOf = (method: string, url: URL) => `${method} ${url.pathname.replace(/\/[\w-]{20,}/g, '/:uid')}`;

/** The main thread's time on a CPU in µs, to the nanosecond (schedstat), where /proc's stat counts 10 ms ticks. */
const mainThreadUs = () =>
  Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;

/** The bench's HTTP client, its requests handed to one listener instead of a socket. */
function injectingClient(listener: Listener, steps: Steps): Client {
  const client = rpClient(1);
  const send: Client['send'] = async (method, url, headers, body) => {
    const started = mainThreadUs();
    const promisesBefore = promisesMade.count;
    promisesMade.inRequest = true;
    const res = await inject(listener, {
      method: method as 'GET' | 'POST',
      url: url.pathname + url.search,
      headers: { ...headers, host: url.host },
      payload: body,
      remoteAddress: '127.0.0.1',
    });
    promisesMade.inRequest = false;
    // As Node's own client gives them: text, and set-cookie always a list, even of one.
    const answerHeaders: Record<string, string | string[] | undefined> = {};
    for (const [name, value] of Object.entries(res.headers))
      answerHeaders[name] = typeof value === 'number' ? String(value) : value;
    const cookies = answerHeaders['set-cookie'];
    if (typeof cookies === 'string') answerHeaders['set-cookie'] = [cookies];
    const step = stepOf(method, url);
    if (steps.counting) {
      steps.us.set(step, (steps.us.get(step) ?? 0) + mainThreadUs() - started);
      steps.promises.set(step, (steps.promises.get(step) ?? 0) + promisesMade.count - promisesBefore);
    }
    return { status: res.statusCode, headers: answerHeaders, body: res.payload };
  };
  return { ...client, send };
}

const dir = mkdtempSync(join(tmpdir(), 'mamori-shop-interleaved-'));

async function start(name: string, checkout: string, port: number, bare = false): Promise<Mamori> {
  const { listener, minted } = await startInProcess({ name, checkout, dir, port, codes: 20, bare });
  const steps: Steps = { counting: false, us: new Map(), promises: new Map() };
  return { name, client: injectingClient(listener, steps), minted, n: 0, mainUs: [], wholeUs: [], steps };
}

const signIn = (m: Mamori) => signInThroughShop(m.client, m.minted, m.n++, USERS);

try {
  const all: Mamori[] = [];
  for (const [i, checkout] of checkouts.entries())
    all.push(
      await start(`${i}-${basename(checkout)}`, checkout, Number(process.env.SHOP_INTERLEAVED_PORT ?? 4690) + i),
    );
  const port = Number(process.env.SHOP_INTERLEAVED_PORT ?? 4690) + all.length;
  if (process.env.SHOP_INTERLEAVED_BARE === '1') all.push(await start('bare-sqlite', checkouts[0] ?? '', port, true));
  for (const m of all) for (let i = 0; i < WARM; i += 1) await signIn(m);
  for (const m of all) m.steps.counting = true;
  for (let round = 0; round < ROUNDS; round += 1)
    for (const m of round % 2 === 0 ? all : [...all].reverse()) {
      const before = cpuTime(process.pid);
      const mainBefore = mainThreadUs();
      for (let i = 0; i < BLOCK; i += 1) await signIn(m);
      m.mainUs.push((mainThreadUs() - mainBefore) / BLOCK);
      const after = cpuTime(process.pid);
      m.wholeUs.push(((after.mainThread + after.otherThreads - before.mainThread - before.otherThreads) * 1e6) / BLOCK);
    }
  console.log(`sign-in through a shop, ${ROUNDS} rounds of ${BLOCK}, one at a time, CPU per sign-in in this process:`);
  for (const m of all)
    console.log(
      `  ${m.name.padEnd(24)} event loop median ${median(m.mainUs).toFixed(0).padStart(6)} µs, whole process ${median(m.wholeUs).toFixed(0).padStart(6)} µs`,
    );
  console.log(
    `  each step, event loop µs per sign-in (the client's share in it)${COUNT_PROMISES ? ', and promises made while it was answered' : ''}:`,
  );
  const perSignIn = (total: number) => (total / (ROUNDS * BLOCK)).toFixed(0).padStart(6);
  for (const m of all)
    for (const [step, us] of m.steps.us) {
      const made = COUNT_PROMISES ? `  ${perSignIn(m.steps.promises.get(step) ?? 0)} promises` : '';
      console.log(`    ${m.name.padEnd(24)} ${step.padEnd(36)} ${perSignIn(us)}${made}`);
    }
  for (const a of all)
    for (const b of all)
      if (a !== b)
        console.log(
          `  ${a.name} / ${b.name}: event loop ${median(a.mainUs.map((us, i) => us / (b.mainUs[i] ?? us))).toFixed(3)} (median of paired rounds)`,
        );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
