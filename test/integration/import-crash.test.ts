import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import { clientCommand } from '../../src/cli/client-commands.ts';
import { IMPORT_BATCH } from '../../src/services/import/import-accounts.ts';
import { openStore, type Db } from '../../src/store/database.ts';
import { databaseUrlFor, forEachStore } from '../support/harness.ts';
import { legacyCustomers, mixedImportRows } from '../support/import-fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COUNT = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'mamori-import-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const { customers, keys } = legacyCustomers();
const file = join(dir, 'customers.jsonl');
writeFileSync(
  file,
  `${mixedImportRows(COUNT, customers)
    .map((row) => JSON.stringify(row))
    .join('\n')}\n`,
);
const keyFile = join(dir, 'keys.json');
writeFileSync(keyFile, JSON.stringify(keys));

async function countOf(db: Db, table: 'accounts' | 'imported_customer_ids' | 'account_log'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The real command in a process of its own (`node --import tsx` rather than the tsx wrapper, whose child
 * process a SIGKILL to the wrapper would leave running).
 */
function runImport(env: Record<string, string>, clientId: string): { child: ChildProcess; stderr: string[] } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'import', 'accounts', file, '--client', clientId, '--keys', keyFile],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  return { child, stderr };
}

forEachStore('kill -9 in the middle of `mamori import accounts`, then run it again', (store) => {
  test('every account exactly once; what the killed run committed are whole batches', async () => {
    const url = store === 'sqlite' ? `sqlite:${join(dir, 'mamori.db')}` : await databaseUrlFor(store);
    const env = {
      MAMORI_DATABASE_URL: url,
      MAMORI_LOG_LEVEL: 'silent',
      MAMORI_SECRET_KEY: randomBytes(32).toString('base64url'),
    };
    const config = loadConfig(env);
    const out: string[] = [];
    await clientCommand(config, ['add', '--name', 'Maple', '--redirect-uri', 'http://localhost:3001/cb'], (line) =>
      out.push(line),
    );
    const clientId = /client_id:\s+(\S+)/.exec(out.join('\n'))?.[1] as string;
    const watcher = openStore(url);
    try {
      const first = runImport(env, clientId);
      const exited = once(first.child, 'exit');
      // Polled, not slept on: the kill comes once two batches have committed.
      let seen = 0;
      while (seen < 2 * IMPORT_BATCH) {
        assert.equal(
          first.child.exitCode,
          null,
          `the import ended before it could be killed: ${first.stderr.join('')}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 25));
        seen = await countOf(watcher.db, 'imported_customer_ids');
      }
      first.child.kill('SIGKILL');
      const [, signal] = await exited;
      assert.equal(signal, 'SIGKILL');
      const committed = await countOf(watcher.db, 'imported_customer_ids');
      assert.ok(committed < COUNT, `killed mid-import (${committed} of ${COUNT})`);
      assert.equal(committed % IMPORT_BATCH, 0, 'one transaction per batch: no half batch survives');
      assert.equal(await countOf(watcher.db, 'accounts'), committed);
      assert.match(first.stderr.join(''), /rows\/s · ETA \d+s/, 'progress: rows per second and time left');

      const second = runImport(env, clientId);
      const stdout: string[] = [];
      second.child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk.toString()));
      const [code] = await once(second.child, 'exit');
      assert.equal(code, 0, second.stderr.join(''));
      const summary = stdout.join('');
      assert.match(summary, new RegExp(`Imported ${(COUNT - committed).toLocaleString('en')} new accounts`));
      assert.match(summary, new RegExp(`Already imported \\(shop id seen before\\): ${committed}\\b`));

      assert.equal(await countOf(watcher.db, 'accounts'), COUNT, 'every account');
      assert.equal(await countOf(watcher.db, 'imported_customer_ids'), COUNT);
      assert.equal(await countOf(watcher.db, 'account_log'), COUNT, 'one "imported" entry each, none twice');
      const distinct = await watcher.db
        .selectFrom('imported_customer_ids')
        .select((eb) => eb.fn.count<number | string>('shop_customer_id').distinct().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(distinct.n), COUNT, 'each shop id once');
    } finally {
      await watcher.close();
    }
  });
});
