import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { importCommand } from '../../src/cli/import-command.ts';
import { cliWithShop } from '../support/cli-with-shop.ts';
import { forEachStore } from '../support/harness.ts';
import { importRowFor, legacyCustomers } from '../support/import-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'mamori-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const { customers, keys } = legacyCustomers();

forEachStore('mamori import accounts / export accounts', (store) => {
  test('JSON Lines and CSV import, a dry run first, a rerun adds nothing, and the export reads back in', async () => {
    const { config, out, write, clientId } = await cliWithShop(store, dir);
    const jsonl = join(dir, `${store}.jsonl`);
    writeFileSync(
      jsonl,
      `${customers
        .slice(0, 12)
        .map((c) => JSON.stringify(importRowFor(c)))
        .join('\n')}\n{not json\n`,
    );
    const keyFile = join(dir, 'keys.json');
    writeFileSync(keyFile, JSON.stringify(keys));
    const run = async (args: string[]) => {
      out.length = 0;
      const code = await importCommand(config, args[0] === 'export' ? 'export' : 'import', args.slice(1), write);
      return { code, text: out.join('\n') };
    };

    const dry = await run(['import', 'accounts', jsonl, '--client', clientId, '--dry-run', '--keys', keyFile]);
    assert.equal(dry.code, 1, 'a refused line makes the exit status 1');
    assert.match(dry.text, /Dry run \(nothing was changed\): would import 12 new accounts/);
    assert.match(dry.text, /line 13: not a JSON object/);
    const real = await run(['import', 'accounts', jsonl, '--client', clientId, '--keys', keyFile]);
    assert.match(real.text, /^Imported 12 new accounts/);
    const again = await run(['import', 'accounts', jsonl, '--client', clientId]);
    assert.match(again.text, /Imported 0 new accounts/);
    assert.match(again.text, /Already imported \(shop id seen before\): 12/);

    const csv = join(dir, `${store}.csv`);
    writeFileSync(
      csv,
      'shopCustomerId,email,emailVerified,name,passwordFormat,passwordHash,passwordSalt\n' +
        `S1,s1@example.com,true,Aki,,,\nS2,"s2@example.com",1,"Sato, Ken",bcrypt,${customers[0]?.hash},\nS3,bad,1,X,,,\n`,
    );
    const fromCsv = await run(['import', 'accounts', csv]);
    assert.match(fromCsv.text, /Imported 2 new accounts/, 'the only client is the default');
    assert.match(fromCsv.text, /line 4: email: Invalid email/);

    const exported = join(dir, `${store}-export.jsonl`);
    assert.equal((await run(['export', 'accounts', exported])).code, 0);
    const rows = readFileSync(exported, 'utf8').trim().split('\n');
    assert.equal(rows.length, 14);
    const back = await run(['import', 'accounts', exported, '--dry-run']);
    assert.match(back.text, /Already imported \(shop id seen before\): 14/);
  });
});
