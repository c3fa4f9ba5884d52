import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { freePort } from './loopback.ts';
import { loadConfig } from '../../src/config.ts';
import type { Mailer } from '../../src/delivery/mailer.ts';
import { composeMamori, type Mamori } from '../../src/runtime/compose.ts';
import { FakeClock } from '../../src/runtime/clock.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumUnavailable: string | null = existsSync(CHROMIUM)
  ? null
  : `Chromium not found at ${CHROMIUM} (apt-get install chromium): browser tests skipped`;

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface RunningMamori extends Mamori {
  url: string;
  clock: FakeClock;
  stop(): Promise<void>;
}

/** The real server, in this process, on a loopback port, with the development mailbox and a fake clock. */
export async function startServer(
  env: Record<string, string> = {},
  options: { mailer?: Mailer } = {},
): Promise<RunningMamori> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-e2e-'));
  const probe = loadConfig({ MAMORI_DATABASE_URL: `sqlite:${join(dir, 'mamori.sqlite')}`, ...env });
  const clock = new FakeClock('2026-03-02T05:46:00.000Z');
  // Learn a free port first, then build the config whose public URL names it.
  const port = await freePort();
  const config = loadConfig({
    ...env,
    MAMORI_DATABASE_URL: probe.databaseUrl,
    MAMORI_PORT: String(port),
    MAMORI_SHOP_NAME: 'Maple Market',
    MAMORI_LOG_LEVEL: 'silent',
  });
  const mamori = await composeMamori(config, {
    clock,
    workerIntervalMs: 0,
    log: pino({ level: 'silent' }),
    mailer: options.mailer,
  });
  await mamori.app.listen({ host: '127.0.0.1', port });
  return {
    ...mamori,
    clock,
    url: `http://localhost:${port}`,
    async stop() {
      await mamori.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Delivers queued mail to the development mailbox and returns the newest sign-in code sent to `email`. */
export async function mailedSignInCode(server: RunningMamori, email: string): Promise<string> {
  await server.worker.runOnce();
  const rows = await server.deps.db
    .selectFrom('dev_mailbox')
    .select(['text_body', 'received_at'])
    .where('recipient', '=', email)
    .orderBy('received_at', 'desc')
    .execute();
  for (const row of rows) {
    const code = /^(\d{6})$/m.exec(row.text_body)?.[1];
    if (code) return code;
  }
  throw new Error(`no sign-in code mailed to ${email}`);
}
