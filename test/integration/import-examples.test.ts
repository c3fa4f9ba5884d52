import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importCommand } from '../../src/cli/import-command.ts';
import { cliWithShop } from '../support/cli-with-shop.ts';
import { forEachStore } from '../support/harness.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/import/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/legacy-hashes/', import.meta.url));

/** What each guide's example holds (README "Bring your customers"); a new file needs its line here. */
const EXPECTED: Record<string, string> = {
  'auth0.jsonl': 'bcrypt 2',
  'eccube4.csv': 'eccube 2, eccube-sha1 1',
  'magento2.jsonl': 'magento2 3',
  'shopify.csv': 'none 2',
  'woocommerce.jsonl': 'phpass 3, wordpress 1',
};
const importFiles = readdirSync(EXAMPLES).filter((name) => /\.(jsonl|csv)$/.test(name));

const dir = mkdtempSync(join(tmpdir(), 'mamori-examples-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('every example file has its expected counts, and every hash in them comes from a committed fixture made by the real software', () => {
  assert.deepEqual(importFiles.sort(), Object.keys(EXPECTED).sort());
  const fixtureText = readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .map((name) => readFileSync(join(FIXTURES, name), 'utf8'))
    .join('\n');
  const hashes = importFiles.flatMap((name) =>
    [
      ...readFileSync(join(EXAMPLES, name), 'utf8').matchAll(
        /(\$(?:P|wp|2[aby])\$[^",\s]+|[0-9a-f]{40,64}(?::[0-9a-f]{32}:[0-9_:]+)?)/g,
      ),
    ].map((match) => match[1] ?? ''),
  );
  assert.equal(hashes.length, 12, 'all the example hashes are seen');
  for (const hash of hashes)
    assert.ok(fixtureText.includes(JSON.stringify(hash).slice(1, -1)), `not from a fixture: ${hash}`);
});

forEachStore('The guides’ example files, through the real CLI', (store) => {
  test('each dry-runs with its counts by format and nothing refused; nothing is written', async () => {
    const { config, out, write, clientId } = await cliWithShop(store, dir);
    for (const name of importFiles) {
      const keys = join(EXAMPLES, name.replace(/\.(jsonl|csv)$/, '-keys.json'));
      out.length = 0;
      const code = await importCommand(
        config,
        'import',
        [
          'accounts',
          join(EXAMPLES, name),
          '--client',
          clientId,
          '--dry-run',
          ...(existsSync(keys) ? ['--keys', keys] : []),
        ],
        write,
      );
      const text = out.join('\n');
      assert.equal(code, 0, `${name}:\n${text}`);
      assert.match(text, /^Refused: 0$/m, name);
      assert.match(
        text,
        new RegExp(`^By password format: ${EXPECTED[name]?.replaceAll('-', '\\-')}$`, 'm'),
        `${name}:\n${text}`,
      );
    }
    out.length = 0;
    await importCommand(config, 'export', ['accounts', join(dir, `${store}-export.jsonl`)], write);
    assert.match(out.join('\n'), /^Exported 0 accounts/, 'a dry run writes nothing');
  });
});
