import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { retryDelayMs } from '../../src/delivery/outbox-worker.ts';

test('defaults make the embedded development setup', () => {
  const config = loadConfig({});
  assert.equal(config.mode, 'development');
  assert.equal(config.databaseUrl, 'sqlite:./data/mamori.sqlite');
  assert.equal(config.publicUrl, 'http://localhost:3000');
  assert.equal(config.secureCookies, false);
  assert.equal(config.demoAccount, true);
  assert.equal(config.hashConcurrency, 3);
  assert.equal(loadConfig({ UV_THREADPOOL_SIZE: '1' }).hashConcurrency, 1);
  assert.equal(loadConfig({ MAMORI_HASH_CONCURRENCY: '6' }).hashConcurrency, 6);
  assert.ok(Object.isFrozen(config));
});

test('a bad value stops start-up with a message naming the variable', () => {
  assert.throws(
    () => loadConfig({ MAMORI_PORT: 'eighty' }),
    (e: unknown) => e instanceof ConfigError && /MAMORI_PORT/.test(e.message),
  );
  assert.throws(() => loadConfig({ MAMORI_ARGON2_MEMORY_KIB: '4096' }), /MAMORI_ARGON2_MEMORY_KIB/);
  assert.throws(() => loadConfig({ MAMORI_DATABASE_URL: 'mysql://x' }), /MAMORI_DATABASE_URL/);
  assert.throws(() => loadConfig({ MAMORI_HASH_CONCURRENCY: '0' }), /MAMORI_HASH_CONCURRENCY/);
});

test('production insists on https and a real mail relay', () => {
  assert.throws(
    () => loadConfig({ MAMORI_MODE: 'production' }),
    /MAMORI_PUBLIC_URL[\s\S]*MAMORI_SMTP_URL[\s\S]*MAMORI_SECRET_KEY/,
  );
  assert.throws(() => loadConfig({ MAMORI_SECRET_KEY: 'short' }), /MAMORI_SECRET_KEY: must be 32 random bytes/);
  const config = loadConfig({
    MAMORI_MODE: 'production',
    MAMORI_PUBLIC_URL: 'https://account.shop.example',
    MAMORI_SMTP_URL: 'smtp://relay:587',
    MAMORI_SECRET_KEY: Buffer.alloc(32, 7).toString('base64url'),
  });
  assert.equal(config.secureCookies, true);
  assert.equal(config.demoAccount, false);
});

test('keys being rotated out: up to four, well formed, never the current key again', () => {
  const current = Buffer.alloc(32, 1).toString('base64url');
  const earlier = [2, 3].map((n) => Buffer.alloc(32, n).toString('base64url'));
  assert.deepEqual(loadConfig({}).previousSecretKeys, []);
  assert.deepEqual(
    loadConfig({ MAMORI_SECRET_KEY: current, MAMORI_SECRET_KEY_PREVIOUS: earlier.join(',') }).previousSecretKeys,
    earlier,
  );
  assert.throws(
    () => loadConfig({ MAMORI_SECRET_KEY_PREVIOUS: `${earlier[0]},short` }),
    /MAMORI_SECRET_KEY_PREVIOUS: must be one to four earlier keys/,
  );
  assert.throws(
    () => loadConfig({ MAMORI_SECRET_KEY_PREVIOUS: Array(5).fill(earlier[0]).join(',') }),
    /MAMORI_SECRET_KEY_PREVIOUS/,
  );
  assert.throws(
    () => loadConfig({ MAMORI_SECRET_KEY: current, MAMORI_SECRET_KEY_PREVIOUS: `${earlier[0]},${current}` }),
    /MAMORI_SECRET_KEY_PREVIOUS: must not repeat MAMORI_SECRET_KEY/,
  );
});

test('mail retries back off and are capped at an hour', () => {
  assert.equal(retryDelayMs(1), 10_000);
  assert.equal(retryDelayMs(2), 20_000);
  assert.equal(retryDelayMs(20), 3_600_000);
});

test('trusted proxies by count or by network; "true" (any client picks its own address) is refused', () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.equal(loadConfig({ MAMORI_TRUST_PROXY: '1' }).trustProxy, 1);
  assert.deepEqual(loadConfig({ MAMORI_TRUST_PROXY: '10.0.0.0/8, 192.0.2.7,::1' }).trustProxy, [
    '10.0.0.0/8',
    '192.0.2.7',
    '::1',
  ]);
  for (const bad of ['true', '0', '11', '10.0.0.0/33', 'proxy.example', '10.0.0.1/8/2']) {
    assert.throws(
      () => loadConfig({ MAMORI_TRUST_PROXY: bad }),
      (e: unknown) => e instanceof ConfigError && /MAMORI_TRUST_PROXY/.test(e.message),
      bad,
    );
  }
});

test('development listens on loopback only: the dev mailbox shows every mailed link', () => {
  assert.equal(loadConfig({ MAMORI_HOST: '::1' }).host, '::1');
  assert.throws(
    () => loadConfig({ MAMORI_HOST: '0.0.0.0' }),
    (e: unknown) => e instanceof ConfigError && /loopback only/.test(e.message),
  );
  assert.equal(
    loadConfig({
      MAMORI_HOST: '0.0.0.0',
      MAMORI_MODE: 'production',
      MAMORI_PUBLIC_URL: 'https://id.example',
      MAMORI_SMTP_URL: 'smtp://relay:587',
      MAMORI_SECRET_KEY: 'A'.repeat(43),
    }).host,
    '0.0.0.0',
  );
});

test('a challenge threshold above the denial threshold says which variable must move too', () => {
  assert.throws(
    () => loadConfig({ MAMORI_RISK_CHALLENGE_AT: '101' }),
    (e: unknown) => e instanceof ConfigError && /raise MAMORI_RISK_DENY_AT to at least 101/.test(e.message),
  );
});

test('MAMORI_RECEIVER_ALLOW: networks and names the operator allows; a bad entry stops start-up naming it', () => {
  const config = loadConfig({ MAMORI_RECEIVER_ALLOW: '10.0.5.0/24,shop.internal' });
  assert.equal(config.receivers.loopback, true, 'development: the example shop on loopback');
  assert.deepEqual(config.receivers.names, ['shop.internal']);
  assert.equal(config.receivers.networks.length, 1);
  assert.equal(loadConfig({}).receivers.networks.length, 0, 'nothing private by default');
  assert.throws(
    () => loadConfig({ MAMORI_RECEIVER_ALLOW: '10.0.5.0/24,10.0.0.0/33' }),
    (e: unknown) =>
      e instanceof ConfigError && /MAMORI_RECEIVER_ALLOW: "10\.0\.0\.0\/33" is not a network/.test(e.message),
  );
  const production = loadConfig({
    MAMORI_MODE: 'production',
    MAMORI_PUBLIC_URL: 'https://account.shop.example',
    MAMORI_SMTP_URL: 'smtp://relay:587',
    MAMORI_SECRET_KEY: Buffer.alloc(32, 7).toString('base64url'),
  });
  assert.equal(production.receivers.loopback, false, 'production: loopback only when listed');
});

test('live trickle migration: off unless its URL is set; https to an allowed host, a secret and the shop it belongs to', () => {
  assert.equal(loadConfig({}).legacySignIn, null, 'off by default');
  const secret = 's'.repeat(32);
  const legacy = (extra: Record<string, string>) =>
    loadConfig({ MAMORI_LEGACY_SIGN_IN_SECRET: secret, MAMORI_LEGACY_SIGN_IN_CLIENT: 'maple', ...extra });
  assert.deepEqual(legacy({ MAMORI_LEGACY_SIGN_IN_URL: 'https://old.shop.example/check' }).legacySignIn, {
    url: 'https://old.shop.example/check',
    secret,
    clientId: 'maple',
    timeoutMs: 3000,
  });
  assert.ok(
    legacy({ MAMORI_LEGACY_SIGN_IN_URL: 'http://127.0.0.1:8080/check' }).legacySignIn,
    'loopback http in development',
  );
  const production = {
    MAMORI_MODE: 'production',
    MAMORI_PUBLIC_URL: 'https://account.shop.example',
    MAMORI_SMTP_URL: 'smtp://relay:587',
    MAMORI_SECRET_KEY: Buffer.alloc(32, 7).toString('base64url'),
  };
  assert.throws(
    () => legacy({ ...production, MAMORI_LEGACY_SIGN_IN_URL: 'http://127.0.0.1:8080/check' }),
    /MAMORI_LEGACY_SIGN_IN_URL: must be an https:\/\/ URL[\s\S]*loopback address/,
  );
  assert.throws(() => legacy({ MAMORI_LEGACY_SIGN_IN_URL: 'http://old.shop.example/check' }), /must be an https/);
  assert.throws(() => legacy({ MAMORI_LEGACY_SIGN_IN_URL: 'https://169.254.169.254/check' }), /link-local/);
  assert.throws(() => legacy({ MAMORI_LEGACY_SIGN_IN_URL: 'https://10.0.0.7/check' }), /private address/);
  assert.ok(
    legacy({ MAMORI_LEGACY_SIGN_IN_URL: 'https://10.0.0.7/check', MAMORI_RECEIVER_ALLOW: '10.0.0.0/24' }).legacySignIn,
    'a network the operator allows',
  );
  assert.throws(
    () => loadConfig({ MAMORI_LEGACY_SIGN_IN_URL: 'https://old.shop.example/check' }),
    /MAMORI_LEGACY_SIGN_IN_SECRET: is required[\s\S]*MAMORI_LEGACY_SIGN_IN_CLIENT: is required/,
  );
  assert.throws(
    () => legacy({ MAMORI_LEGACY_SIGN_IN_SECRET: 'short', MAMORI_LEGACY_SIGN_IN_URL: 'https://a.example' }),
    /at least 32/,
  );
  assert.throws(() => legacy({ MAMORI_LEGACY_SIGN_IN_TIMEOUT_MS: '10000' }), /MAMORI_LEGACY_SIGN_IN_TIMEOUT_MS/);
});
