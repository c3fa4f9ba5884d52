import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config.ts';
import { SecretBox } from '../platform/secret-box.ts';

const KEY_FILE = 'mamori.key';

/**
 * The key that seals stored secrets. Production takes it from MAMORI_SECRET_KEY (config insists).
 * Development keeps one beside its SQLite file (or in ./data for PostgreSQL), made on first start, so
 * `npm start` needs nothing; an in-memory database gets a key that lives as long as it does.
 */
export function serviceKey(config: Readonly<Config>): Buffer {
  if (config.secretKey) return Buffer.from(config.secretKey, 'base64url');
  const sqlite = config.databaseUrl.startsWith('sqlite:');
  const path = config.databaseUrl.replace(/^sqlite:/, '');
  if (sqlite && path === ':memory:') return randomBytes(32);
  const file = join(sqlite ? dirname(path) : 'data', KEY_FILE);
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte key in base64url`);
  return key;
}

/** Seals under the service key; keys being rotated out (MAMORI_SECRET_KEY_PREVIOUS) still open. */
export function secretBoxFor(config: Readonly<Config>): SecretBox {
  return new SecretBox(
    serviceKey(config),
    config.previousSecretKeys.map((key) => Buffer.from(key, 'base64url')),
  );
}
