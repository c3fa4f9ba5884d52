import pino from 'pino';
import { loadConfig, type Config } from '../../config.ts';
import { MemoryMailer } from '../../delivery/memory-mailer.ts';
import { FakeClock } from '../../runtime/clock.ts';
import { composeMamori } from '../../runtime/compose.ts';
import { STORY_ENV, type StoryWorld } from './story.ts';

export interface DemoWorld extends StoryWorld {
  config: Readonly<Config>;
  clock: FakeClock;
  mailer: MemoryMailer;
  mamori: Awaited<ReturnType<typeof composeMamori>>;
  close(): Promise<void>;
}

/**
 * One Mamori for the story, in process: a fake clock, mail kept in memory, the worker run by hand, the
 * risk engine and change delays as in the story (STORY_ENV). `mamori demo` and the proof benchmark use it.
 */
export async function startDemoWorld(options: { start: string; databaseUrl?: string }): Promise<DemoWorld> {
  const config = loadConfig({
    MAMORI_DATABASE_URL: options.databaseUrl ?? 'sqlite::memory:',
    MAMORI_SHOP_NAME: 'Maple Market',
    MAMORI_DEFAULT_LOCALE: 'en',
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_DEMO_ACCOUNT: 'false',
    ...STORY_ENV,
  });
  const clock = new FakeClock(options.start);
  const mailer = new MemoryMailer();
  const mamori = await composeMamori(config, { clock, mailer, workerIntervalMs: 0, log: pino({ level: 'silent' }) });
  return {
    app: mamori.app,
    clock,
    mailer,
    config,
    mamori,
    deliver: () => mamori.worker.runOnce(),
    close: () => mamori.close(),
  };
}
