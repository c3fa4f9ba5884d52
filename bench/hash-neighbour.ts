// `tsx bench/hash-neighbour.ts`: what argon2id hashes cost the event loop beside them, apart from the cores
// they take. A bare Fastify route (400 small objects built and serialised to JSON) answers a steady 100
// requests/s, 10 connections, while three argon2id hashes (the sign-in's parameters) run without pause,
// either in the server's own process (libuv's pool, where every bench server and Mamori hash) or in
// another process; a third case runs no hashes. It prints the CPU the server's main thread spent per
// request, read from /proc (cpu-time.ts): both hashing cases load the two cores alike, so what differs is
// sharing the process (its memory map: argon2id maps and unmaps 19 MB per hash).
// HASH_NEIGHBOUR_ROUNDS (default 3), HASH_NEIGHBOUR_SECONDS (default 6). Bounded by a hard stop.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hash } from '@node-rs/argon2';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { cpuSince, cpuTime } from './cpu-time.ts';
import { BENCH_ARGON2 } from './fixtures.ts';
import { hardStop } from './processes.ts';
import { median } from './stats.ts';

type Where = 'in the server' | 'in another process' | 'nowhere';
const ROUNDS = Number(process.env.HASH_NEIGHBOUR_ROUNDS ?? 3);
const SECONDS = Number(process.env.HASH_NEIGHBOUR_SECONDS ?? 6);
const PORT = 4460;
const HASHES_AT_ONCE = 3;

const hashWithoutPause = () => {
  const loop = async (): Promise<void> => {
    for (;;) await hash(`password-${Math.random()}`, BENCH_ARGON2);
  };
  for (let i = 0; i < HASHES_AT_ONCE; i += 1) void loop();
};

async function serve(where: Where, port: number) {
  const app = Fastify();
  let served = 0;
  app.get('/work', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => ({
      id: `row-${i}-${served}`,
      n: i * 3,
      tags: ['a', String(i)],
    }));
    served += 1;
    return { length: JSON.stringify(rows).length };
  });
  await app.listen({ host: '127.0.0.1', port });
  if (where === 'in the server') hashWithoutPause();
  process.send?.({ ready: true });
}

const steadyLoad = (port: number, seconds: number) =>
  new Promise<number>((resolve, reject) =>
    autocannon(
      { url: `http://127.0.0.1:${port}/work`, connections: 10, duration: seconds, overallRate: 100 },
      (error, result) => (error ? reject(error) : resolve(result.requests.total)),
    ),
  );

const self = fileURLToPath(import.meta.url);
const start = (args: string[]) => fork(self, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });

async function trial(where: Where, port: number): Promise<number> {
  const server = start(['serve', where, String(port)]);
  await new Promise((resolve) => server.once('message', resolve));
  const hasher = where === 'in another process' ? start(['hash']) : undefined;
  try {
    await steadyLoad(port, 3);
    const pid = server.pid ?? 0;
    const before = cpuTime(pid);
    const requests = await steadyLoad(port, SECONDS);
    return (cpuSince(before, pid).mainThread * 1e6) / requests;
  } finally {
    server.kill();
    hasher?.kill();
  }
}

const [role, where, port] = process.argv.slice(2);
// A child goes with its parent, however the parent ends (the hard stop included): a hasher never stops by itself.
if (role) process.once('disconnect', () => process.exit(0));
if (role === 'serve') await serve(where as Where, Number(port));
else if (role === 'hash') hashWithoutPause();
else {
  hardStop(10 * 60_000, 'hash-neighbour bench');
  const places: Where[] = ['in the server', 'in another process', 'nowhere'];
  const figures = new Map<Where, number[]>(places.map((place) => [place, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    const order = round % 2 === 1 ? places : [...places].reverse();
    for (const [i, place] of order.entries()) {
      const us = await trial(place, PORT + i);
      figures.get(place)?.push(us);
      console.log(
        `  round ${round}  hashes ${place.padEnd(18)} ${us.toFixed(0).padStart(5)} µs of main thread per request`,
      );
    }
  }
  console.log(`\nmedians over ${ROUNDS} rounds, 100 requests/s:`);
  for (const [place, values] of figures)
    console.log(`  hashes ${place.padEnd(18)} ${median(values).toFixed(0).padStart(5)} µs of main thread per request`);
  process.exit(0);
}
