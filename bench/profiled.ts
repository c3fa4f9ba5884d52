// A bench server profiles itself when its parent asks (BENCH_PROFILE=1): `{ profile: 'start' }` starts V8's
// sampling profiler, `{ profile: 'stop', file }` stops it, writes the profile there and answers
// `{ profiled: file }`. So a profile covers the measured window only, not start-up or seeding.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const SAMPLE_EVERY_US = 500;

type ProfileMessage = { profile: 'start' } | { profile: 'stop'; file: string };

function isProfileMessage(message: unknown): message is ProfileMessage {
  return typeof message === 'object' && message !== null && 'profile' in message;
}

export function answerProfileRequests(): void {
  if (process.env.BENCH_PROFILE !== '1') return;
  const session = new Session();
  session.connect();
  process.on('message', (message: unknown) => {
    if (!isProfileMessage(message)) return;
    void (async () => {
      if (message.profile === 'start') {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: SAMPLE_EVERY_US });
        await session.post('Profiler.start');
        process.send?.({ profiling: true });
        return;
      }
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(message.file, JSON.stringify(profile));
      process.send?.({ profiled: message.file });
    })();
  });
}
