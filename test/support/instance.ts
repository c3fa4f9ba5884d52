// One Mamori instance in a process of its own, for the many-instances test (test/support/instances.ts):
// the real composition from the environment, its own worker polling, and a fake clock the parent moves
// for every instance at once over IPC. Answers {port} once it listens; {id, pause} → {id, paused} (its
// worker stopped); {id, advance} → {id, advanced} (clock moved, worker started); {id, runOnce} → {id, ran}.
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { FakeClock } from '../../src/runtime/clock.ts';
import { composeMamori } from '../../src/runtime/compose.ts';

const clock = new FakeClock(process.env.TEST_CLOCK_START);
const workerIntervalMs = Number(process.env.TEST_WORKER_INTERVAL_MS ?? 20);
const mamori = await composeMamori(loadConfig(process.env), {
  clock,
  log: pino({ level: 'silent' }),
  workerIntervalMs,
});
await mamori.app.listen({ host: '127.0.0.1', port: 0 });
const address = mamori.app.server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });

process.on('message', (message: { id: number; pause?: boolean; advance?: number; runOnce?: boolean }) => {
  const answer = (reply: object) => process.send?.({ id: message.id, ...reply });
  // The worker stops (its pass in flight finishing) before any instance's clock jumps, and starts again after.
  if (message.pause) void mamori.worker.stop().then(() => answer({ paused: true }));
  if (typeof message.advance === 'number') {
    clock.advance(message.advance);
    mamori.worker.start(workerIntervalMs);
    answer({ advanced: clock.now().toISOString() });
  }
  if (message.runOnce) void mamori.worker.runOnce().then((ran) => answer({ ran }));
});
process.on('SIGTERM', () => {
  void mamori.close().finally(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
